// The .NET oracle: answers attrmap's differential test with what the .NET
// class library (Mono's copy of it) does. Built at test time with
//   mcs -out:oracle.exe tests/oracle/*.cs
//
// Protocol, one case per line on stdin, one answer per line on stdout, in
// order. A line is tab-separated fields, each field base64 of UTF-8 text (so
// any string, tabs and newlines included, travels unchanged):
//   family \t arg1 \t arg2 …
// The answer is
//   ok \t base64(result)          the family returned a string
//   null                          the family returned null
//   err \t base64(Type: message)  the family threw; Type is the exception's short type name
// A family is a public static method `string NAME(string[] args)` of the
// partial class `Families`, found by reflection, so each file adds its own
// families without touching this one.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Text;

public static partial class Families
{
    // A liveness probe and the protocol's own test: echoes its arguments joined by '|'.
    public static string echo(string[] a) { return string.Join("|", a); }
}

public static class Oracle
{
    static string Decode(string field)
    {
        return Encoding.UTF8.GetString(Convert.FromBase64String(field));
    }

    static string Encode(string text)
    {
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
    }

    public static int Main()
    {
        var families = new Dictionary<string, MethodInfo>();
        foreach (var m in typeof(Families).GetMethods(BindingFlags.Public | BindingFlags.Static))
            families[m.Name] = m;

        var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
        output.NewLine = "\n";
        string line;
        while ((line = input.ReadLine()) != null)
        {
            if (line.Length == 0) { output.WriteLine("err\t" + Encode("Protocol: empty line")); continue; }
            var fields = line.Split('\t');
            string answer;
            try
            {
                var family = Decode(fields[0]);
                var args = new string[fields.Length - 1];
                for (int i = 1; i < fields.Length; i++) args[i - 1] = Decode(fields[i]);
                MethodInfo method;
                if (!families.TryGetValue(family, out method))
                    throw new ArgumentException("no oracle family '" + family + "'");
                var result = (string)method.Invoke(null, new object[] { args });
                answer = result == null ? "null" : "ok\t" + Encode(result);
            }
            catch (Exception e)
            {
                var inner = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                answer = "err\t" + Encode(inner.GetType().Name + ": " + inner.Message);
            }
            output.WriteLine(answer);
        }
        output.Flush();
        return 0;
    }
}
