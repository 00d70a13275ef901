#!/usr/bin/env python3
"""Validates a JSON document against a JSON schema (draft 7), resolving the schema's
relative $refs in its own directory, as the CycloneDX schemas refer to each other.
usage: validate-json-schema.py SCHEMA DOCUMENT   (prints each error; exit 1 if any)"""
import json
import os
import sys
import urllib.parse
import warnings

import jsonschema

warnings.filterwarnings("ignore", category=DeprecationWarning)


# Debian 12's jsonschema (4.10) sorts the extra items of an array to word an error, which
# fails on objects; the wording is all that changes here.
def _extras_msg(extras):
    return ", ".join(repr(e) for e in extras), ("was" if len(extras) == 1 else "were")


for _module in ("_utils", "_validators", "_legacy_validators"):
    _m = getattr(jsonschema, _module, None)
    if _m is not None and hasattr(_m, "extras_msg"):
        _m.extras_msg = _extras_msg


def main(schema_path, doc_path):
    schema_dir = os.path.dirname(os.path.abspath(schema_path))
    with open(schema_path) as f:
        schema = json.load(f)
    # A relative $ref resolves against the schema's $id: the files beside it stand in for
    # the URLs it names, so nothing is fetched.
    store = {}
    for name in os.listdir(schema_dir):
        if name.endswith(".json"):
            with open(os.path.join(schema_dir, name)) as f:
                store[urllib.parse.urljoin(schema.get("$id", ""), name)] = json.load(f)
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    with open(doc_path) as f:
        doc = json.load(f)
    errors = list(jsonschema.Draft7Validator(schema, resolver=resolver).iter_errors(doc))
    for e in errors[:20]:
        print("%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message[:300]))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
