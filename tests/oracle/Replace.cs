// The `replace_*` families: what .NET's Regex does for each regex mode of
// attrmap's Replace. Patterns are compiled with RegexOptions.None, the
// default of `new Regex(pattern)` and of the static Regex methods.
using System.Text.RegularExpressions;

public static partial class Families
{
    // A timeout only so that a runaway generated case cannot stall the test;
    // the test skips a case that times out. It changes no match.
    static Regex Compile(string pattern)
    {
        return new Regex(pattern, RegexOptions.None, System.TimeSpan.FromSeconds(2));
    }

    // Mode regexPattern + replacementValue: Regex.Replace with .NET's
    // substitution language. args: input, pattern, replacement.
    public static string replace_regex(string[] a)
    {
        return Compile(a[1]).Replace(a[0], a[2]);
    }

    // Mode regexPattern + regexGroupName + replacementValue: in each match,
    // the group's text (when the group took part and lies inside the match)
    // becomes the replacement, taken literally. args: input, pattern, group, replacement.
    public static string replace_group(string[] a)
    {
        var group = a[2];
        var replacement = a[3];
        return Compile(a[1]).Replace(a[0], m =>
        {
            var g = m.Groups[group];
            if (!g.Success || g.Index < m.Index || g.Index + g.Length > m.Index + m.Length)
                return m.Value;
            return m.Value.Substring(0, g.Index - m.Index) + replacement
                + m.Value.Substring(g.Index + g.Length - m.Index);
        });
    }

    // Mode regexPattern + regexGroupName + replacementAttributeName: the
    // group's text in the first match, or null. args: input, pattern, group.
    public static string replace_extract(string[] a)
    {
        var m = Compile(a[1]).Match(a[0]);
        var g = m.Groups[a[2]];
        return m.Success && g.Success ? g.Value : null;
    }

    // char.ToLower of each UTF-16 code unit: where Mono's casing table and
    // the Unicode simple lowercase mapping attrmap follows part.
    public static string lower_units(string[] a)
    {
        var chars = a[0].ToCharArray();
        for (int i = 0; i < chars.Length; i++) chars[i] = char.ToLower(chars[i]);
        return new string(chars);
    }
}
