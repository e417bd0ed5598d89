// Text families: what Entra's ConvertToBase64, ToUpper/ToLower and PCase
// call in .NET (see the reference, functions-for-customizing-application-data.md).
using System;
using System.Globalization;
using System.Text;

public static partial class Families
{
    // "converts a string to a Unicode base64 string": UTF-16LE bytes.
    public static string ConvertToBase64(string[] a)
    {
        return Convert.ToBase64String(Encoding.Unicode.GetBytes(a[0]));
    }

    // The culture argument names a culture; none means the invariant culture.
    static CultureInfo Culture(string name)
    {
        return name.Length == 0 ? CultureInfo.InvariantCulture : new CultureInfo(name);
    }

    public static string ToUpper(string[] a) { return a[0].ToUpper(Culture(a[1])); }

    public static string ToLower(string[] a) { return a[0].ToLower(Culture(a[1])); }

    // PCase without wordSeparators: ToTitleCase, on the lower-cased text. The
    // reference's example ("PABLO GONSALVES (SECOND)" gives "Pablo Gonsalves
    // (Second)") lower-cases words in capitals, which ToTitleCase alone keeps.
    public static string PCase(string[] a)
    {
        var text = CultureInfo.InvariantCulture.TextInfo;
        return text.ToTitleCase(text.ToLower(a[0]));
    }

    // ToTitleCase alone, to show what it keeps (the test settles O'neil and 1St with it).
    public static string ToTitleCase(string[] a)
    {
        return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(a[0]);
    }

    // For each character of the argument, "1" if Mono's Unicode tables know
    // it and "0" if not: the oracle's tables are older than attrmap's.
    public static string Assigned(string[] a)
    {
        var sb = new StringBuilder();
        foreach (char c in a[0])
            sb.Append(char.GetUnicodeCategory(c) == UnicodeCategory.OtherNotAssigned ? '0' : '1');
        return sb.ToString();
    }
}
