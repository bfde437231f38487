"""Schemathesis hooks for bold360-rs's OpenAPI document (api-spec/openapi.json).

Loaded with SCHEMATHESIS_HOOKS=hooks (this folder on PYTHONPATH) by the test
bold360-sdk/cli/tests/schemathesis.rs:

- every request is signed as the document's security scheme `auth` says: the query parameter
  `auth=AccountID:ApiSettingID:Millis:Hash`, Hash the lower-case hex SHA-512 of
  `AccountID:ApiSettingID:Millis` followed by the API key, made afresh for each request
  (from BOLD360_ACCOUNT_ID, BOLD360_API_SETTING_ID, BOLD360_API_KEY);
- Bold360 answers errors in-band (HTTP 200, `{"Status": "error", "Message": ...}`), so the two
  built-in checks that judge refusals by HTTP status (`ignored_auth`,
  `negative_data_rejection`) are replaced by the checks below, which judge them by the
  vendor's envelope; every other check stays.
"""

import hashlib
import json
import os
import time
import urllib.parse

import requests
import schemathesis
from schemathesis.specs.openapi import checks as builtin

# Against the API (the sandbox): the credentials to sign with. Against `bold360 explore`'s
# proxy, which signs itself: none, and the page's token instead.
ACCOUNT = os.environ.get("BOLD360_ACCOUNT_ID", "")
SETTING = os.environ.get("BOLD360_API_SETTING_ID", "")
KEY = os.environ.get("BOLD360_API_KEY", "")
EXPLORER_TOKEN = os.environ.get("BOLD360_EXPLORER_TOKEN", "")
EXPLORER_TOKEN_HEADER = "x-bold360-explorer-token"


def token(millis=None):
    """A token as the document's security scheme describes it."""
    millis = str(int(time.time() * 1000) if millis is None else millis)
    text = f"{ACCOUNT}:{SETTING}:{millis}"
    digest = hashlib.sha512((text + KEY).encode()).hexdigest()
    return f"{text}:{digest}"


class Bold360Token:
    """Signs every request afresh (a token lives 5 minutes)."""

    def get(self, case, context):
        return token()

    def set(self, case, data, context):
        case.query = case.query or {}
        case.query["auth"] = token()


if KEY:
    schemathesis.auth(refresh_interval=None)(Bold360Token)


def envelope(response):
    """The vendor's envelope of a response, or an AssertionError saying why it is not one."""
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"not JSON: {response.content[:200]!r}")
    if not isinstance(body, dict) or body.get("Status") not in ("success", "error"):
        raise AssertionError(f"not the vendor's envelope: {str(body)[:200]}")
    return body


@schemathesis.check
def vendor_envelope(ctx, response, case):
    """Every answer of the API is the vendor's JSON envelope (errors included), never a bare
    HTTP error page."""
    if response.status_code == 200:
        envelope(response)
    return True


@schemathesis.check
def invalid_value_gets_error_envelope(ctx, response, case):
    """A request with a value the document rules out is answered with the vendor's error
    envelope (in-band, HTTP 200), not `success`. The same exemptions as the built-in
    negative_data_rejection, whose judgement by HTTP status this replaces."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative or response.status_code != 200:
        return None
    if (
        builtin.has_only_additional_properties_in_non_body_parameters(case)
        or only_undeclared_names_are_negative(case)
        or builtin._type_mutations_become_valid_after_serialization(case)
        or builtin._non_body_negative_values_match_schema(response, case)
    ):
        return None
    body = envelope(response)
    if body["Status"] == "success":
        raise AssertionError(
            f"an invalid request was answered `success`: {response.request.url}"
        )
    return True


def _from_wire(value, schema):
    """A query value as the document types it: the coverage phase hands values over as sent
    (text), and `"0"` for an integer parameter is the integer 0 on the wire."""
    if not isinstance(value, str):
        return value
    types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    try:
        if "integer" in types and value.lstrip("-").isdigit():
            return int(value)
        if "number" in types:
            return float(value)
    except ValueError:
        pass
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    return value


def only_undeclared_names_are_negative(case):
    """True when the query's declared parameters are valid by the document and the negation is
    only names it does not declare: the rule of the built-in
    `has_only_additional_properties_in_non_body_parameters` ("extra properties ... are often
    ignored"), with the values read as the wire carries them."""
    from schemathesis.core.parameters import ParameterLocation

    container = case.operation.get_parameter_set(ParameterLocation.QUERY)
    schema = container.schema
    properties = schema.get("properties", {})
    query = dict(case.query or {})
    declared = {
        k: _from_wire(v, properties.get(k, {})) for k, v in query.items() if k in container
    }
    if len(declared) == len(query):
        return False
    validator = case.operation.schema.adapter.jsonschema_validator_cls(schema)
    return validator.is_valid(declared)


_AUTH_CHECKED = set()


def _without_auth(url, replacement):
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k != "auth"]
    if replacement is not None:
        query.append(("auth", replacement))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


@schemathesis.check
def request_without_valid_token_gets_error_envelope(ctx, response, case):
    """The same request without a token, with a forged one, and with one older than 5 minutes
    is answered with the vendor's error envelope (once per operation), never `success`; the
    answer never shows the key."""
    label = case.operation.label
    if not KEY or label in _AUTH_CHECKED or response.status_code != 200:
        return None
    _AUTH_CHECKED.add(label)
    url = response.request.url
    forged = token()[:-8] + "00000000"
    stale = token(int(time.time() * 1000) - 6 * 60 * 1000)
    for name, auth in (("no token", None), ("a forged token", forged), ("a stale token", stale)):
        probe = requests.get(_without_auth(url, auth), timeout=30)
        assert probe.status_code == 200, f"{name}: HTTP {probe.status_code}"
        body = envelope(probe)
        assert body["Status"] == "error", f"{name}: answered `success`: {probe.url}"
        assert KEY not in probe.text, f"{name}: the answer shows the key"
    return True


_EXPLORER_CHECKED = set()


@schemathesis.check
def explorer_refuses_what_it_must_not_forward(ctx, response, case):
    """`bold360 explore`'s proxy: the same request without the page's token, addressed to
    another host name (DNS rebinding), sent from another site, or naming a method outside the
    manifest is refused with the error envelope and a 4xx (once per operation)."""
    label = case.operation.label
    if not EXPLORER_TOKEN or label in _EXPLORER_CHECKED:
        return None
    _EXPLORER_CHECKED.add(label)
    url = response.request.url
    token = {EXPLORER_TOKEN_HEADER: EXPLORER_TOKEN}
    parts = urllib.parse.urlsplit(url)
    head, _, _ = parts.path.rpartition("/")
    elsewhere = urllib.parse.urlunsplit(parts._replace(path=f"{head}/getNothingAtAll"))
    probes = (
        ("no token", url, {}, 403),
        ("a foreign Host", url, {**token, "Host": "evil.example"}, 403),
        ("a foreign Origin", url, {**token, "Origin": "http://evil.example"}, 403),
        ("a method outside the manifest", elsewhere, token, 404),
    )
    for name, target, headers, status in probes:
        probe = requests.get(target, headers=headers, timeout=30)
        assert probe.status_code == status, f"{name}: HTTP {probe.status_code}: {probe.text[:200]}"
        if probe.headers.get("content-type", "").startswith("application/json"):
            assert envelope(probe)["Status"] == "error", f"{name}: not refused: {probe.text[:200]}"
    return True


def _is_set(query, name):
    value = (query or {}).get(name)
    return value is not None and str(value).strip() != ""


def _broken_rules(case):
    """The operation's cross-parameter rules (`x-bold360-constraints`, which a JSON Schema of
    separate query parameters cannot carry) that the request breaks."""
    broken = []
    for constraint in case.operation.definition.raw.get("x-bold360-constraints", []):
        rule = constraint.get("rule", {})
        for kind, names in rule.items():
            given = [n for n in names if _is_set(case.query, n)]
            if kind == "exactly_one_of" and len(given) != 1:
                broken.append(constraint.get("text", kind))
            if kind == "all_or_none" and 0 < len(given) < len(names):
                broken.append(constraint.get("text", kind))
    # A JSON-valued parameter (`contentMediaType: application/json`, an annotation JSON Schema
    # validators do not assert) whose value is not JSON.
    for parameter in case.operation.definition.raw.get("parameters", []):
        name = parameter.get("name")
        schema = parameter.get("schema", {})
        if schema.get("contentMediaType") == "application/json" and _is_set(case.query, name):
            try:
                json.loads(str(case.query[name]))
            except ValueError:
                broken.append(f"{name} is a JSON value (contentMediaType)")
    return broken


@schemathesis.check
def schema_valid_request_is_accepted_unless_it_breaks_a_stated_rule(ctx, response, case):
    """The built-in positive_data_acceptance, for `bold360 explore`'s proxy, which refuses
    before sending (HTTP 400) what the SDK rules out: a request valid by the document is
    accepted, unless it breaks one of the operation's `x-bold360-constraints`."""
    meta = case.meta
    if not EXPLORER_TOKEN or meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code == 400:
        broken = _broken_rules(case)
        assert broken, f"a request valid by the document was refused: {response.text[:300]}"
    return True
