// Date families: DateFromNum and NumFromDate (AD FILETIME), CDate and
// FormatDateTime, as the reference describes them: a UTC DateTime rendered
// "M/d/yyyy h:mm:ss tt"; FormatDateTime parses with DateTime.ParseExact and
// the given DateTimeStyles (default RoundtripKind, AllowLeadingWhite,
// AllowTrailingWhite) and renders with ToString; the invariant culture; the
// machine's time zone is UTC (the client sets TZ=UTC), as Entra's is.
using System;
using System.Globalization;

public static partial class Families
{
    const string Rendered = "M/d/yyyy h:mm:ss tt";
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string DateFromNum(string[] a)
    {
        return DateTime.FromFileTimeUtc(long.Parse(a[0], Inv)).ToString(Rendered, Inv);
    }

    // DateFromNum then NumFromDate: the exact ticks survive.
    public static string FileTimeRoundTrip(string[] a)
    {
        return DateTime.FromFileTimeUtc(long.Parse(a[0], Inv)).ToFileTimeUtc().ToString(Inv);
    }

    // CDate: a date/time string to a UTC DateTime; no offset means UTC.
    static DateTime ParseUtc(string s)
    {
        return DateTime.Parse(s, Inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    public static string CDate(string[] a) { return ParseUtc(a[0]).ToString(Rendered, Inv); }

    public static string NumFromDate(string[] a) { return ParseUtc(a[0]).ToFileTimeUtc().ToString(Inv); }

    // dateTimeStyles as Enum.Parse reads it: names or numbers, comma-separated.
    static DateTimeStyles Styles(string s)
    {
        if (s.Length == 0)
            return DateTimeStyles.RoundtripKind | DateTimeStyles.AllowLeadingWhite | DateTimeStyles.AllowTrailingWhite;
        return (DateTimeStyles)Enum.Parse(typeof(DateTimeStyles), s);
    }

    // FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat).
    public static string FormatDateTime(string[] a)
    {
        return DateTime.ParseExact(a[0], a[2], Inv, Styles(a[1])).ToString(a[3], Inv);
    }

    // The DateTimeStyles value Enum.Parse gives, as a number, or its exception.
    public static string ParseStyles(string[] a) { return ((int)Styles(a[0])).ToString(Inv); }
}

public static partial class Families
{
    // A source value for FormatDateTime: an instant with an offset, rendered
    // by .NET with an input format (args: ticks, offset minutes, format).
    public static string RenderOffset(string[] a)
    {
        var t = new DateTimeOffset(long.Parse(a[0], Inv), TimeSpan.FromMinutes(int.Parse(a[1], Inv)));
        return t.ToString(a[2], Inv);
    }
}
