"""Sends what `attrmap map --emit requests` writes for the five seed apps to a
real SCIM server (scim2-server, started here on a free port of 127.0.0.1),
reads every resource back and compares it with the mapping's values.

Run by tests/scim_server.rs with the virtualenv that .ci/run creates:
    python tests/scim/roundtrip.py ATTRMAP_BINARY REPOSITORY_ROOT
Exit status 0 when every check passed; otherwise each failure is printed.

Per app, in its own tenant of one server:
  1. users: create (no target state), default PATCH dialect;
  2. groups: create, members resolved through the users now in the target;
  3. users and groups: update to tests/scim/*-updated.jsonl, default dialect;
  4. users and groups: update back to examples/, aadOptscim062020 dialect.
After each step every resource is read back with GET and compared with
`attrmap map --emit resources` (create or update mode). The server must
accept every request except those attrmap itself flags (`warnings`);
requests holding a `{{missing:…}}` placeholder are not sent (the object they
refer to is not in the target), and must be exactly those attrmap lists in
`pending`. Request bodies are validated with scim2-models first.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import scim2_server
from scim2_models import Context, Extension, Group, PatchOp, Resource, Schema

ATTRMAP, ROOT = sys.argv[1], sys.argv[2]
APPS = ["contracts-clm", "clarizen-one", "contractbook", "dilitrust-clm", "clebex"]
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

failures = []
# Members whose removal the server refused where attrmap warned it would:
# they stay in the group.
refused_removals = set()
stats = {"sent": 0, "refused_as_flagged": 0, "held_back_missing": 0, "checked": 0}


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


def schemas_with_roleid(path):
    """RFC 7643's schemas as scim2-server ships them, plus DiliTrust's
    custom `roleId` in the core User schema (examples/native/dilitrust-clm.json)."""
    base = os.path.join(os.path.dirname(scim2_server.__file__), "resources")
    with open(os.path.join(base, "default-schemas.json")) as f:
        schemas = json.load(f)
    user = next(s for s in schemas if s["id"] == CORE_USER)
    user["attributes"].append({
        "name": "roleId", "type": "string", "multiValued": False,
        "description": "DiliTrust CLM role UUID", "required": False,
        "caseExact": False, "mutability": "readWrite", "returned": "default",
        "uniqueness": "none",
    })
    with open(path, "w") as f:
        json.dump(schemas, f)
    return schemas


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workdir, schema_file):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(workdir, "server.log"), "w")
        args = [os.path.join(os.path.dirname(sys.executable), "scim2-server"),
                "--hostname", "127.0.0.1", "--port", str(self.port), "--schema", schema_file]
        for app in APPS:
            args += ["--tenant", app]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            try:
                status, _ = self.call("GET", f"/{APPS[0]}/ServiceProviderConfig")
                if status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise SystemExit(f"scim2-server did not start on port {self.port}; see {self.log.name}")
            time.sleep(0.1)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        url = self.base + urllib.parse.quote(path, safe="/?=&")
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/scim+json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read()
                return resp.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, text

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def attrmap(*args):
    run = subprocess.run([ATTRMAP, "map", *args], capture_output=True, text=True)
    if run.returncode not in (0, 2):
        raise SystemExit(f"attrmap map {' '.join(args)} failed ({run.returncode}):\n{run.stderr}")
    return [json.loads(line) for line in run.stdout.splitlines()]


def models(schemas):
    by_id = {s["id"]: Schema.model_validate(s) for s in schemas}
    user = Resource.from_schema(by_id[CORE_USER])[Extension.from_schema(by_id[ENTERPRISE])]
    return {"Users": user, "Groups": Group}


def validate(model, line):
    """The body must be a valid SCIM message for scim2-models."""
    body = line.get("body")
    try:
        if line["method"] == "POST":
            model.model_validate(body, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        elif line["method"] == "PATCH":
            PatchOp[model].model_validate(body, scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    except Exception as e:  # noqa: BLE001 - any validation error is a finding
        if line.get("warnings"):
            print(f"  scim2-models refuses, as attrmap warned: {line['method']} {line['path']}: "
                  f"{line['warnings'][0]['code']}")
        else:
            fail(f"scim2-models refuses {line['method']} {line['path']} (record {line['index']}): {e}")


def send(server, app, lines, created, model):
    """Sends the request lines in order; returns the error lines attrmap wrote."""
    errors = []
    for line in lines:
        if "method" not in line:
            if "error" in line:
                errors.append(line)
            continue
        text = json.dumps(line)
        for index, rid in created.items():
            text = text.replace("{{created:%d}}" % index, rid)
        line = json.loads(text)
        if "{{missing:" in text:
            if not any(p.startswith("{{missing:") for p in line.get("pending", [])):
                fail(f"{app}: a missing reference that `pending` does not list: {text}")
            stats["held_back_missing"] += 1
            continue
        if "{{created:" in text:
            fail(f"{app}: record {line['index']} refers to a POST that was not answered: {text}")
            continue
        validate(model, line)
        status, resp = server.call(line["method"], f"/{app}{line['path']}", line.get("body"))
        stats["sent"] += 1
        if status >= 300:
            if line.get("warnings"):
                stats["refused_as_flagged"] += 1
                for op in line["body"]["Operations"]:
                    if op.get("op") == "Remove" and op.get("path") == "members":
                        refused_removals.update(m["value"] for m in op["value"])
                print(f"  {app}: refused as attrmap warned ({status}): {line['method']} "
                      f"{line['path']}: {line['warnings'][0]['code']}")
            else:
                fail(f"{app}: server refused {line['method']} {line['path']} ({status}): {resp}\n"
                     f"  request: {json.dumps(line.get('body'))}")
            continue
        if line["method"] == "POST":
            created[line["index"]] = resp["id"]
    return errors


def contains(want, have, where):
    """Every value attrmap mapped is in the server's copy."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return [f"{where}: expected an object, server has {have!r}"]
        out = []
        for k, v in want.items():
            if k == "schemas":
                continue
            out += contains(v, have.get(k), f"{where}.{k}")
        return out
    if isinstance(want, list):
        if not isinstance(have, list):
            return [f"{where}: expected a list, server has {have!r}"]
        return [f"{where}: {w!r} not in the server's {have!r}"
                for w in want if not any(not contains(w, h, where) for h in have)]
    if isinstance(want, bool) or isinstance(have, bool):
        return [] if str(want).lower() == str(have).lower() else [f"{where}: {want!r} != {have!r}"]
    return [] if want == have else [f"{where}: {want!r} != {have!r}"]


def target_state(server, app, path):
    """GET /Users and /Groups as JSONL, the --target-state file."""
    with open(path, "w") as f:
        for kind in ("Users", "Groups"):
            status, resp = server.call("GET", f"/{app}/{kind}?count=1000")
            if status != 200:
                fail(f"{app}: GET /{kind} answered {status}: {resp}")
                continue
            for r in resp.get("Resources", []):
                f.write(json.dumps(r) + "\n")


def check(server, app, kind, mapping, source, mode, created, user_ids):
    """GET each resource of `source` and compare with attrmap's resource."""
    expected = attrmap(mapping, "--object", kind, "--input", source, "--mode", mode)
    for line in expected:
        resource = line.get("resource")
        rid = created.get(line["index"])
        if resource is None or rid is None:
            continue
        status, have = server.call("GET", f"/{app}/{'Users' if kind == 'user' else 'Groups'}/{rid}")
        if status != 200:
            fail(f"{app}: GET {kind} {rid} answered {status}")
            continue
        stats["checked"] += 1
        ext = resource.get(ENTERPRISE, {})
        # The manager is set by a PATCH the server may refuse (see warnings);
        # members and manager hold source ids here, target ids there.
        ext.pop("manager", None)
        if ENTERPRISE in resource and not ext:
            resource.pop(ENTERPRISE)
        members = resource.pop("members", None)
        problems = contains(resource, have, f"{kind} {line['index']}")
        if members is not None:
            want = sorted(user_ids[m["value"]] for m in members if m["value"] in user_ids)
            got = sorted(m["value"] for m in have.get("members") or []
                         if m["value"] in want or m["value"] not in refused_removals)
            if want != got:
                problems.append(f"group {line['index']}: members {got} on the server, {want} mapped")
        for p in problems:
            fail(f"{app} ({mode}): {p}")


def source_ids(path):
    with open(path) as f:
        return [json.loads(line).get("objectId") for line in f if line.strip()]


def has_groups(mapping):
    with open(mapping) as f:
        return any(o["object"] == "Group" for o in json.load(f)["objects"])


def main():
    examples = os.path.join(ROOT, "examples")
    here = os.path.join(ROOT, "tests", "scim")
    steps = [
        (os.path.join(examples, "users.jsonl"), os.path.join(examples, "groups.jsonl"), "default"),
        (os.path.join(here, "users-updated.jsonl"), os.path.join(here, "groups-updated.jsonl"), "default"),
        (os.path.join(examples, "users.jsonl"), os.path.join(examples, "groups.jsonl"), "aadOptscim062020"),
    ]
    with tempfile.TemporaryDirectory() as work:
        schema_file = os.path.join(work, "schemas.json")
        kinds = models(schemas_with_roleid(schema_file))
        server = Server(work, schema_file)
        try:
            for app in APPS:
                mapping = os.path.join(examples, "native", f"{app}.json")
                users_created, groups_created = {}, {}
                for n, (users, groups, dialect) in enumerate(steps):
                    mode = "create" if n == 0 else "update"
                    state = os.path.join(work, f"{app}.{n}.state.jsonl")
                    target_state(server, app, state)
                    args = ["--emit", "requests", "--target-state", state, "--patch-dialect", dialect]
                    errors = send(server, app, attrmap(mapping, "--input", users, *args),
                                  users_created, kinds["Users"])
                    for e in errors:
                        print(f"  {app}: attrmap error, not sent: record {e['index']}: "
                              f"{e['error'].get('code')}: {e['error'].get('message')}")
                    user_ids = {s: users_created[i] for i, s in enumerate(source_ids(users))
                                if i in users_created}
                    check(server, app, "user", mapping, users, mode, users_created, user_ids)
                    if has_groups(mapping):
                        target_state(server, app, state)
                        send(server, app,
                             attrmap(mapping, "--object", "group", "--input", groups,
                                     "--references", users, *args),
                             groups_created, kinds["Groups"])
                        check(server, app, "group", mapping, groups, mode, groups_created, user_ids)
                print(f"{app}: {len(users_created)} users, {len(groups_created)} groups", flush=True)
        finally:
            server.stop()
    print(f"{stats['sent']} requests sent, {stats['refused_as_flagged']} refused where attrmap "
          f"warned, {stats['held_back_missing']} held back (missing reference), "
          f"{stats['checked']} resources read back and compared, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
