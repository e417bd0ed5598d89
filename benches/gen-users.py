#!/usr/bin/env python3
"""Writes N generated Entra-style users as JSONL, for timing `attrmap map`
on large files (docs/mapping.md, "Performance"). Seeded: the same N gives
the same file.

    python3 benches/gen-users.py 1000000 > /tmp/users.jsonl
"""
import json
import random
import sys
import uuid

GIVEN = ["John", "Zoë", "Åsa", "Łukasz", "Maria", "Chen", "Fatima", "Olivier", "Søren", "José"]
SURNAMES = ["Smith", "Müller", "Østergård", "Wiśniewski", "Garcia", "Li", "Haddad", "Dubois",
            "Nielsen", "Pinto"]
DEPARTMENTS = ["IT", "Legal", "Procurement", "Finance", "Sales", "HR", "Marketing", "Ops"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    r = random.Random(7)
    out = sys.stdout
    for i in range(n):
        g, s = r.choice(GIVEN), r.choice(SURNAMES)
        user = {
            "objectId": str(uuid.UUID(int=r.getrandbits(128), version=4)),
            "accountEnabled": r.random() < .92,
            "IsSoftDeleted": r.random() < .03,
            "givenName": g,
            "surname": s,
            "displayName": f"{g} {s}",
            "mail": f"{g.lower()}.{s.lower()}{i}@contoso.com",
            # In scope of the Clarizen One example (userPrincipalName ends with @contoso.com).
            "userPrincipalName": f"u{i:06}@contoso.com",
            "mailNickname": f"u{i:06}",
            "state": "IDF",
            "preferredLanguage": "fr-FR",
            "employeeId": f"{100000 + i:06}",
            "jobTitle": "Engineer",
            "city": "Paris",
            "country": "FR",
            "usageLocation": "FR",
            "mobile": "+33 (6) 12-34-56-78",
            "telephoneNumber": "+33 1 23 45 67 89",
            "companyName": "Contoso",
            "streetAddress": "1 rue de la Paix",
            "postalCode": "75002",
        }
        if r.random() < .95:
            user["department"] = r.choice(DEPARTMENTS)
        out.write(json.dumps(user, ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main()
