// The example gallery. Each entry sets the expression, the target attribute,
// the sample users and the evaluation options.
window.ATTRMAP_EXAMPLES = [
  {
    id: "dilitrust-role",
    title: "DiliTrust CLM: roleId from department",
    description:
      "DiliTrust assigns one role per user through the custom SCIM attribute roleId. " +
      "Legal edits, Procurement validates, IT administers, Finance contributes; everyone else reads. " +
      "Replace the UUIDs with your tenant's (GET /api/scim/v2/Schemas).",
    target: "urn:ietf:params:scim:schemas:core:2.0:User:roleId",
    users: "sample:users",
    now: "",
    existing: "",
    expr:
      'Switch([department], "5f3c2a10-0000-4000-8000-00000000000e",\n' +
      '  "Legal", "5f3c2a10-0000-4000-8000-00000000000b",\n' +
      '  "Procurement", "5f3c2a10-0000-4000-8000-00000000000d",\n' +
      '  "IT", "5f3c2a10-0000-4000-8000-00000000000a",\n' +
      '  "Finance", "5f3c2a10-0000-4000-8000-00000000000c")',
  },
  {
    id: "upn-unique",
    title: "userName with SelectUniqueValue",
    description:
      "Tries first.last, then f.last, then fi.last, without diacritics, and takes the first " +
      "candidate not already taken in the target (see the taken values under Evaluation options).",
    target: "userName",
    users: "sample:users",
    now: "",
    existing: "john.smith@contoso.com\nj.smith@contoso.com",
    expr:
      "SelectUniqueValue(\n" +
      '  Join("@", NormalizeDiacritics(StripSpaces(ToLower(Join(".", [givenName], [surname])))), "contoso.com"),\n' +
      '  Join("@", NormalizeDiacritics(StripSpaces(ToLower(Join(".", Mid([givenName], 1, 1), [surname])))), "contoso.com"),\n' +
      '  Join("@", NormalizeDiacritics(StripSpaces(ToLower(Join(".", Mid([givenName], 1, 2), [surname])))), "contoso.com"))',
  },
  {
    id: "workday-prehire",
    title: "Workday: provision 14 days before the hire date",
    description:
      "Inbound-style date logic: skip workers whose hire date is more than 14 days away, " +
      "otherwise flow whether they are active. Now() is fixed under Evaluation options so the result is reproducible.",
    target: "active",
    users: "sample:workday",
    now: "2031-05-01T09:00:00Z",
    existing: "",
    expr:
      'IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 14,\n' +
      "  IgnoreObjectFlow,\n" +
      '  Switch([StatusActive], "False", "1", "True"))',
  },
  {
    id: "phone-cleanup",
    title: "Phone cleanup with Replace",
    description:
      "Regex mode of Replace: removes everything but digits and the leading +, so " +
      "\"+1 (206) 555-0100\" becomes \"+12065550100\". Users without a mobile number are not flowed.",
    target: 'phoneNumbers[type eq "mobile"].value',
    users: "sample:users",
    now: "",
    existing: "",
    expr: 'IgnoreFlowIfNullOrEmpty(Replace([mobile], , "[^0-9+]", , "", , ))',
  },
  {
    id: "display-name",
    title: "displayName: \"Surname, Given\" with fallbacks",
    description: "Join skips empty values, and Coalesce falls back to the UPN when no name is known.",
    target: "displayName",
    users: "sample:users",
    now: "",
    existing: "",
    expr: 'Coalesce(IIF(IsPresent([surname]), Join(", ", [surname], [givenName]), [displayName]), [userPrincipalName])',
  },
];
