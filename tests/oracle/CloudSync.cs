// Cloud Sync families: the functions attrmap takes from the Entra Cloud Sync
// expression reference (docs/identity/hybrid/cloud-sync/reference-expressions.md)
// whose meaning is a .NET call: Trim, ConvertFromBase64, StringFromSID.
// DNComponent and CRef are the sync engine's own, with no .NET counterpart.
using System;
using System.Security.Principal;
using System.Text;

public static partial class Families
{
    // "removes leading and trailing white spaces": String.Trim().
    public static string Trim(string[] a) { return a[0].Trim(); }

    // "converts the specified base64 encoded value to a regular string";
    // "assumes Unicode for encoding"; the encodings are Unicode, ASCII, UTF8.
    public static string ConvertFromBase64(string[] a)
    {
        var bytes = Convert.FromBase64String(a[0]);
        switch (a.Length > 1 ? a[1] : "Unicode")
        {
            case "Unicode": return Encoding.Unicode.GetString(bytes);
            case "ASCII": return Encoding.ASCII.GetString(bytes);
            case "UTF8": return Encoding.UTF8.GetString(bytes);
            default: throw new ArgumentException("encoding " + a[1]);
        }
    }

    // "converts a byte array containing a security identifier to a string":
    // the SID's bytes arrive in base64, as JSON carries AD's objectSid.
    public static string StringFromSID(string[] a)
    {
        return new SecurityIdentifier(Convert.FromBase64String(a[0]), 0).ToString();
    }
}
