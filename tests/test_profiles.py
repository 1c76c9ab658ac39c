"""SPEC 3: the profile format and its strict loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard import cli
from wizard.errors import InvalidInput
from wizard.profiles import dump, load, load_text, save

BASE = """\
version: 1
name: research-private
region: us-west-2
account_id: "123456789012"
vpc_id: vpc-0a1b2c3d4e5f60718
subnet_ids: [subnet-0aaa1111bbbb22223, subnet-0ccc3333dddd44445]
domain_id: d-abcdefghijkl
endpoints:
  studio: true
  api: true
  extra: []
dns:
  mode: private-dns
  associate_vpc_ids: []
  fix_vpc_attributes: false
security_group:
  id: null
  allow_from_security_groups: []
  allow_from_cidrs: []
endpoint_policy:
  studio: [create-app, presigned-url]
  api: []
access:
  mode: vpce
  effect: allow
  cidrs: []
  extra_vpce_ids: []
  resource_scope: domain
  policy_name: null
  attach: {users: [], groups: [], roles: []}
tags: {}
"""

# (case id, line to replace, its replacement, key named in the error, words in the message, token the mark points at)
MALFORMED = [
    ("unknown_top_key", "tags: {}", "tags: {}\ncolour: blue", "colour", "unknown key", "colour"),
    ("unknown_nested_key", "  mode: vpce", "  modee: vpce", "access.modee", "unknown key", "modee"),
    ("duplicate_key", "tags: {}", "tags: {}\nname: other", "name", "duplicate key", "name: other"),
    ("duplicate_nested_key", "  api: []", "  api: []\n  studio: []", "endpoint_policy.studio", "duplicate key", "  studio: []"),
    ("yaml11_no", "  fix_vpc_attributes: false", "  fix_vpc_attributes: no", "dns.fix_vpc_attributes", "ambiguous", "no"),
    ("yaml11_yes", "  studio: true", "  studio: yes", "endpoints.studio", "ambiguous", "yes"),
    ("yaml11_on", "  api: true", "  api: on", "endpoints.api", "ambiguous", "on"),
    ("yaml11_off", "  fix_vpc_attributes: false", "  fix_vpc_attributes: off", "dns.fix_vpc_attributes", "ambiguous", "off"),
    ("yaml11_octal", "tags: {}", "tags: {port: 0443}", "tags.port", "octal", "0443"),
    ("yaml11_leading_zero_version", "version: 1", "version: 01", "version", "octal", "01"),
    ("yaml11_sexagesimal", "tags: {}", "tags: {window: 22:30}", "tags.window", "base-60", "22:30"),
    ("version_2", "version: 1", "version: 2", "version", "not allowed", "2"),
    ("version_string", "version: 1", 'version: "1"', "version", "not allowed", '"1"'),
    ("name_uppercase", "name: research-private", "name: Research_Private", "name", "lowercase", "Research_Private"),
    ("name_too_long", "name: research-private", "name: " + "a" * 41, "name", "1-40", "a" * 41),
    ("region_bad", "region: us-west-2", "region: us-west", "region", "not an AWS region", "us-west"),
    ("account_unquoted", 'account_id: "123456789012"', "account_id: 123456789012", "account_id", "string", "123456789012"),
    ("account_short", 'account_id: "123456789012"', 'account_id: "12345"', "account_id", "12-digit", '"12345"'),
    ("vpc_short", "vpc_id: vpc-0a1b2c3d4e5f60718", "vpc_id: vpc-123", "vpc_id", "not a vpc id", "vpc-123"),
    ("vpc_uppercase", "vpc_id: vpc-0a1b2c3d4e5f60718", "vpc_id: vpc-0A1B2C3D", "vpc_id", "not a vpc id", "vpc-0A1B2C3D"),
    ("vpc_wrong_prefix", "vpc_id: vpc-0a1b2c3d4e5f60718", "vpc_id: subnet-0a1b2c3d", "vpc_id", "not a vpc id", "subnet-0a1b2c3d"),
    ("subnets_not_list", "subnet_ids: [subnet-0aaa1111bbbb22223, subnet-0ccc3333dddd44445]",
     "subnet_ids: subnet-0aaa1111bbbb22223", "subnet_ids", "list", "subnet-0aaa1111bbbb22223"),
    ("subnet_shape", "subnet_ids: [subnet-0aaa1111bbbb22223, subnet-0ccc3333dddd44445]",
     "subnet_ids: [subnet-xyz]", "subnet_ids[0]", "not a subnet id", "subnet-xyz"),
    ("subnet_twice", "subnet_ids: [subnet-0aaa1111bbbb22223, subnet-0ccc3333dddd44445]",
     "subnet_ids: [subnet-0aaa1111bbbb22223, subnet-0aaa1111bbbb22223]", "subnet_ids[1]", "lists subnet-0aaa1111bbbb22223 twice", "subnet-0aaa1111bbbb22223]"),
    # A list names each item once (trial 13: a user listed twice crashed plan with an AssertionError, exit 1)
    ("attach_user_twice", "  attach: {users: [], groups: [], roles: []}", ("  attach: {users: [alice, bob, alice], "
     "groups: [], roles: []}"), "access.attach.users[2]", "lists alice twice", "alice]"),
    ("attach_group_twice", "  attach: {users: [], groups: [], roles: []}", ("  attach: {users: [], groups: [ds, ds], "
     "roles: []}"), "access.attach.groups[1]", "lists ds twice", "ds]"),
    ("attach_role_twice", "  attach: {users: [], groups: [], roles: []}", ("  attach: {users: [], groups: [], "
     "roles: [StudioUsers, StudioUsers]}"), "access.attach.roles[1]", "lists StudioUsers twice", "StudioUsers]"),
    ("source_sg_twice", "  allow_from_security_groups: []", "  allow_from_security_groups: [sg-12345678, sg-12345678]",
     "security_group.allow_from_security_groups[1]", "lists sg-12345678 twice", "sg-12345678]"),
    ("sg_cidr_twice_as_written_back", "  allow_from_cidrs: []", "  allow_from_cidrs: [fd00:AB::/32, fd00:ab::/32]",
     "security_group.allow_from_cidrs[1]", "lists fd00:ab::/32 twice", "fd00:ab::/32]"),
    ("associate_vpc_twice", "  mode: private-dns\n  associate_vpc_ids: []", ("  mode: hosted-zone\n  associate_vpc_ids: "
     "[vpc-0a1b2c3d, vpc-0a1b2c3d]"), "dns.associate_vpc_ids[1]", "lists vpc-0a1b2c3d twice", "vpc-0a1b2c3d]"),
    ("access_cidr_twice", "  cidrs: []", "  cidrs: [198.51.100.0/24, 198.51.100.0/24]", "access.cidrs[1]",
     "lists 198.51.100.0/24 twice", "198.51.100.0/24]"),
    ("extra_vpce_twice", "  extra_vpce_ids: []", "  extra_vpce_ids: [vpce-0a1b2c3d, vpce-0a1b2c3d]",
     "access.extra_vpce_ids[1]", "lists vpce-0a1b2c3d twice", "vpce-0a1b2c3d]"),
    ("extra_service_twice", "  extra: []", "  extra: [sts, logs, sts]", "endpoints.extra[2]", "lists sts twice", "sts]"),
    ("preset_twice", "  studio: [create-app, presigned-url]", "  studio: [create-app, create-app]",
     "endpoint_policy.studio[1]", "lists create-app twice", "create-app]"),
    ("domain_uppercase", "domain_id: d-abcdefghijkl", "domain_id: D-ABC", "domain_id", "not a domain id", "D-ABC"),
    ("domain_no_prefix", "domain_id: d-abcdefghijkl", "domain_id: dabc", "domain_id", "not a domain id", "dabc"),
    ("extra_unknown_service", "  extra: []", "  extra: [ssm]", "endpoints.extra[0]", "not allowed", "ssm"),
    ("dns_mode_bad", "  mode: private-dns", "  mode: public", "dns.mode", "not allowed", "public"),
    ("associate_vpc_bad", "  associate_vpc_ids: []", "  associate_vpc_ids: [vpc-bad]", "dns.associate_vpc_ids[0]",
     "not a vpc id", "vpc-bad"),
    ("associate_needs_hosted_zone", "  associate_vpc_ids: []", "  associate_vpc_ids: [vpc-0a1b2c3d]", "dns",
     "hosted-zone", "mode: private-dns"),
    ("sg_id_shape", "  id: null", "  id: sg-1", "security_group.id", "not a sg id", "sg-1"),
    ("source_sg_shape", "  allow_from_security_groups: []", "  allow_from_security_groups: [sg-zz]",
     "security_group.allow_from_security_groups[0]", "not a sg id", "sg-zz"),
    ("cidr_host_bits", "  allow_from_cidrs: []", "  allow_from_cidrs: [10.0.0.1/8]", "security_group.allow_from_cidrs[0]",
     "host bits set", "10.0.0.1/8"),
    ("cidr_open_world", "  allow_from_cidrs: []", "  allow_from_cidrs: [0.0.0.0/0]", "security_group.allow_from_cidrs[0]",
     "whole internet", "0.0.0.0/0"),
    ("cidr_bad_prefix", "  allow_from_cidrs: []", "  allow_from_cidrs: [10.0.0.0/33]", "security_group.allow_from_cidrs[0]",
     "not a CIDR", "10.0.0.0/33"),
    ("preset_unknown", "  studio: [create-app, presigned-url]", "  studio: [create-apps]", "endpoint_policy.studio[0]",
     "not allowed", "create-apps"),
    ("access_mode_bad", "  mode: vpce", "  mode: vpn", "access.mode", "not allowed", "vpn"),
    ("effect_bad", "  effect: allow", "  effect: block", "access.effect", "not allowed", "block"),
    ("access_cidr_bad", "  cidrs: []", "  cidrs: [300.1.1.0/24]", "access.cidrs[0]", "not a CIDR", "300.1.1.0/24"),
    ("extra_vpce_shape", "  extra_vpce_ids: []", "  extra_vpce_ids: [vpce-1]", "access.extra_vpce_ids[0]",
     "not a vpce id", "vpce-1"),
    ("resource_scope_bad", "  resource_scope: domain", "  resource_scope: account", "access.resource_scope",
     "not allowed", "account"),
    ("policy_name_bad", "  policy_name: null", '  policy_name: "bad name!"', "access.policy_name", "policy name",
     '"bad name!"'),
    ("attach_users_string", "  attach: {users: [], groups: [], roles: []}", "  attach: {users: alice, groups: [], roles: []}",
     "access.attach.users", "list", "alice"),
    ("attach_unknown_key", "  attach: {users: [], groups: [], roles: []}", "  attach: {users: [], admins: []}",
     "access.attach.admins", "unknown key", "admins"),
    ("tag_value_number", "tags: {}", "tags: {team: 5}", "tags.team", "string", "5"),
    # AWS's tag rules (tags go on EC2, Route 53 and IAM resources; the common rules of all three)
    ("tag_key_aws_prefix", "tags: {}", 'tags: {"aws:team": x}', "tags.aws:team", "reserved", '"aws:team"'),
    ("tag_key_aws_prefix_any_case", "tags: {}", 'tags: {"AWS:team": x}', "tags.AWS:team", "reserved", '"AWS:team"'),
    ("tag_value_aws_prefix", "tags: {}", 'tags: {team: "Aws:ml"}', "tags.team", "reserved", '"Aws:ml"'),
    ("tag_key_too_long", "tags: {}", "tags: {" + "k" * 129 + ": x}", "tags." + "k" * 129, "128", "k" * 129),
    ("tag_value_too_long", "tags: {}", "tags: {team: " + "v" * 257 + "}", "tags.team", "256", "v" * 257),
    # IAM takes tag keys case-insensitively (trial 14: apply stopped half-way on the policy)
    ("tag_keys_differ_only_in_case", "tags: {}", "tags: {team: a, Team: b}", "tags", "differ only in case", "{team: a"),
    ("tag_key_ours_in_another_case", "tags: {}", "tags: {Managed-By: x}", "tags", "one studio-vpce sets itself",
     "{Managed-By: x}"),
    ("tag_key_bad_character", "tags: {}", 'tags: {"team#1": x}', "tags.team#1", "character", '"team#1"'),
    ("tag_value_bad_character", "tags: {}", 'tags: {team: "ml;rm"}', "tags.team", "character", '"ml;rm"'),
    ("tag_key_empty", "tags: {}", 'tags: {"": x}', "tags.", "empty", '""'),
    ("tag_key_ours", "tags: {}", 'tags: {managed-by: me}', "tags.managed-by", "studio-vpce sets", "managed-by"),
    ("tags_over_50_with_ours", "tags: {}", "tags: {" + ", ".join(f"t{i}: v" for i in range(48)) + "}", "tags",
     "50", "{t0"),
    ("policy_name_non_ascii_letter", "  policy_name: null", "  policy_name: StudioéAccess", "access.policy_name",
     "policy name", "StudioéAccess"),
    ("policy_name_too_long", "  policy_name: null", "  policy_name: " + "P" * 129, "access.policy_name",
     "policy name", "P" * 129),
    ("tags_list", "tags: {}", "tags: [a, b]", "tags", "dictionary", "[a, b]"),
    ("endpoints_scalar", "endpoints:\n  studio: true\n  api: true\n  extra: []", "endpoints: true", "endpoints",
     "endpoints", "true"),
    ("bool_quoted", "  studio: true", '  studio: "true"', "endpoints.studio", "boolean", '"true"'),
    ("yaml_syntax", "name: research-private", "name: [unclosed", "(top level)", "not valid YAML", None),
    ("python_tag", "name: research-private", "name: !!python/object:os.system x", "name", "tag", "!!python"),
    ("missing_vpc", "vpc_id: vpc-0a1b2c3d4e5f60718\n", "", "vpc_id", "missing from the mapping that starts here",
     "version"),  # a missing key has no line: its mapping's (a trial, 9, took it for the line of a neighbour)
]


def _where(text: str, start: int, token: str | None) -> tuple[int, int] | None:
    """Line and column of `token`, searched from the replaced text onward."""
    if token is None:
        return None
    at = text.index(token.strip(), start) if token.strip() in text[start:] else text.index(token.strip())
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return line, col


def test_corpus_has_at_least_forty_cases() -> None:
    assert len(MALFORMED) >= 40


@pytest.mark.parametrize(("case", "old", "new", "key", "words", "token"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_profile_is_a_one_line_error_with_position_exit_3_and_no_aws_call(
        case, old, new, key, words, token, tmp_path: Path, calls, capsys) -> None:  # noqa: ANN001
    assert old in BASE, case
    text = BASE.replace(old, new, 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    code = cli.main(["plan", str(path), "--demo"])
    err = capsys.readouterr().err.strip()
    assert code == 3
    assert calls.log == []
    first = err.splitlines()[0]
    assert first.startswith(f"error: {path}:")
    assert f": {key}: " in first or (key == "(top level)" and "not valid YAML" in first), first
    assert words.lower() in first.lower(), first
    where = _where(text, BASE.index(old), token)
    if where is not None and case != "missing_vpc":
        assert f"{path}:{where[0]}:{where[1]}:" in first, (first, where)
    if case == "missing_vpc":
        assert f"{path}:1:1:" in first
    assert "Traceback" not in err


def test_a_name_tag_in_another_case_than_the_tools_name_loads() -> None:
    """Trial 14: 'name' was refused as clashing with the tool's Name, which goes on EC2 resources only (their tag
    keys are case-sensitive); the IAM policy carries no Name of the tool's."""
    assert load_text(BASE.replace("tags: {}", "tags: {name: x}"), "x").tags == {"name": "x"}


def test_tags_within_awss_rules_load() -> None:
    """Unicode letters, digits, spaces and _ . : / = + - @; 46 of them leave room for our four (the exports add
    studio-vpce:deployed-by), and a key of studio-vpce's own prefix is refused."""
    tags = {"Équipe": "données ML", "cost-center": "4711", "path/to:x": "a=b+c@d_e.f", "数据": "科学"}
    text = BASE.replace("tags: {}", "tags: {" + ", ".join(f'"{k}": "{v}"' for k, v in tags.items()) + "}")
    assert load_text(text, "x").tags == tags
    many = BASE.replace("tags: {}", "tags: {" + ", ".join(f"t{i}: v" for i in range(46)) + "}")
    assert len(load_text(many, "x").tags) == 46
    with pytest.raises(InvalidInput, match="make 51; AWS allows 50 per resource, so at most 46 here"):
        load_text(BASE.replace("tags: {}", "tags: {" + ", ".join(f"t{i}: v" for i in range(47)) + "}"), "x")
    with pytest.raises(InvalidInput, match="is one studio-vpce sets itself"):
        load_text(BASE.replace("tags: {}", "tags: {studio-vpce:deployed-by: me}"), "x")


def test_iam_policy_name_allows_ascii_only() -> None:
    assert load_text(BASE.replace("  policy_name: null", "  policy_name: Studio+=,.@_-Access9"), "x").access.policy_name
    with pytest.raises(InvalidInput, match="policy name"):
        load_text(BASE.replace("  policy_name: null", "  policy_name: Studio\u00e9Access"), "x")


def test_valid_base_profile_loads() -> None:
    profile = load_text(BASE, "base.yaml")
    assert profile.name == "research-private"
    assert profile.policy_name == "SageMakerStudioPrivateAccess-research-private"


@pytest.mark.parametrize(("spelling", "mode"), [("SourceVpc", "subnet"), ("sourcevpce", "vpce"), ("SOURCEIP", "source-ip"),
                                                ("VpcSourceIp", "vpc-source-ip"), ("Subnet", "subnet")])
def test_mode_accepts_the_guides_condition_key_spellings(spelling: str, mode: str) -> None:
    assert load_text(BASE.replace("  mode: vpce", f"  mode: {spelling}"), "x").access.mode == mode


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    original = load_text(BASE.replace("tags: {}", 'tags: {team: "no", port: "0443"}'), "x")
    path = save(original, tmp_path / "p.yaml")
    assert load(path) == original


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "p.yaml"
    target.write_text("old content\n")
    original = load_text(BASE, "x")

    def boom(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OSError("disk full")

    monkeypatch.setattr("wizard.profiles.os.replace", boom)
    with pytest.raises(OSError):
        save(original, target)
    assert target.read_text() == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["p.yaml"]


def test_a_profile_holds_decisions_only() -> None:
    text = dump(load_text(BASE, "x"))
    for word in ("AuthorizedUrl", "aws_secret", "token", "Subnets", "AvailabilityZone"):
        assert word not in text


def test_loading_never_constructs_python_objects(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="tag"):
        load_text(BASE.replace("name: research-private", "name: !!python/object/apply:os.system [echo hi]"), "x")


def test_every_example_profile_loads() -> None:
    examples = sorted((Path(__file__).parent.parent / "profiles").glob("*.yaml"))
    assert {p.stem for p in examples} >= {"subnet", "vpce", "source-ip", "vpc-source-ip", "hosted-zone", "deny-guardrail"}
    modes = {load(p).access.mode for p in examples}
    assert modes >= {"subnet", "vpce", "source-ip", "vpc-source-ip"}


@pytest.mark.parametrize("where", ["mkstemp", "replace"])
def test_saving_where_it_cannot_be_written_names_the_users_path_not_the_temp_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Found by a new user: an unwritable folder gave "Permission denied: '.p.yaml.x1b2c3'" (the temp file)."""
    import errno

    target = tmp_path / "p.yaml"

    def denied(*args, **_kwargs) -> None:  # noqa: ANN002, ANN003
        name = args[0] if where == "replace" else str(tmp_path / ".p.yaml.x1b2c3")
        raise PermissionError(errno.EACCES, "Permission denied", name)

    monkeypatch.setattr(f"wizard.profiles.{'tempfile.mkstemp' if where == 'mkstemp' else 'os.replace'}", denied)
    with pytest.raises(PermissionError) as raised:
        save(load_text(BASE, "x"), target)
    assert str(target) in str(raised.value) and ".p.yaml." not in str(raised.value)
    assert "Permission denied" in str(raised.value)
    assert list(tmp_path.iterdir()) == []  # and no temp file left behind


def test_libyaml_parses_every_example_as_pyyaml_does_and_refusals_keep_pyyamls_words(monkeypatch) -> None:  # noqa: ANN001
    """Profiles are parsed by libyaml when PyYAML has it (fast), to the same data and the same position of every
    value as PyYAML's own parser; text libyaml refuses gets PyYAML's message, which names the character."""
    import yaml

    from wizard import profiles

    assert profiles._FAST_LOADER is yaml.CSafeLoader  # PyYAML's wheels bundle libyaml
    examples = [*sorted((Path(__file__).parent.parent / "profiles").glob("*.yaml")), BASE]
    for example in examples:
        text = example if isinstance(example, str) else example.read_text()
        data, marks = profiles.parse_yaml(text, "p.yaml")
        monkeypatch.setattr(profiles, "_FAST_LOADER", None)
        slow_data, slow_marks = profiles.parse_yaml(text, "p.yaml")
        monkeypatch.undo()
        assert (data, marks.values, marks.keys) == (slow_data, slow_marks.values, slow_marks.keys), example
        assert marks.values and marks.keys
    with pytest.raises(InvalidInput) as refused:
        profiles.parse_yaml("name: x\n\tregion: y\n", "p.yaml")
    assert str(refused.value) == "p.yaml:2:1: not valid YAML: found character '\\t' that cannot start any token"


def _nested_aliases(levels: int) -> str:
    """The "billion laughs" shape (trial 4 used 8 levels: 13 GB and 4 minutes); 4 levels stay cheap even when
    the aliases are expanded, so the test cannot hurt the machine when the rule is broken."""
    lines = ['version: 1', 'a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_yaml_aliases_are_refused_where_they_stand() -> None:
    with pytest.raises(InvalidInput) as refused:
        load_text(_nested_aliases(4), "bomb.yaml")
    assert str(refused.value) == ("bomb.yaml:3:10: YAML alias *a0: aliases are not allowed in a profile; write the "
                                  "value out")


@pytest.mark.parametrize("deep", ["a: " + "[" * 500 + "]" * 500, "a:\n" + "".join(f"{'  ' * i}- \n" for i in range(200))])
def test_nesting_deeper_than_a_profile_needs_is_an_input_error_where_it_starts_not_a_recursion_error(deep: str) -> None:
    """A trial: 500 nested `[` ended in "RecursionError: maximum recursion depth exceeded" (exit 1)."""
    with pytest.raises(InvalidInput, match=r"^deep.yaml:\d+:\d+: nested more than 20 levels deep") as refused:
        load_text(deep, "deep.yaml")
    assert "\n" not in str(refused.value)


def test_a_profile_with_thousands_of_errors_names_the_first_twenty_and_counts_the_rest() -> None:
    """A trial: 200,000 unknown keys printed 200,005 error lines."""
    with pytest.raises(InvalidInput) as refused:
        load_text(BASE + "".join(f"k{i}: 1\n" for i in range(300)), "many.yaml")
    lines = str(refused.value).splitlines()
    assert len(lines) == 21 and lines[0].startswith("many.yaml:") and "unknown key" in lines[0]
    assert lines[-1] == "many.yaml: and 280 more errors (fix these first)"


def test_a_recursive_yaml_alias_is_an_input_error_not_a_recursion_error() -> None:
    text = BASE.replace("tags: {}", "tags: &t [*t]")
    with pytest.raises(InvalidInput, match=r"YAML alias \*t: aliases are not allowed"):
        load_text(text, "p.yaml")


def test_a_long_bad_value_is_shortened_in_the_error() -> None:
    """A 100 000-character name was echoed in full."""
    with pytest.raises(InvalidInput) as refused:
        load_text(f'version: 1\nname: "{"a" * 100_000}"\n', "p.yaml")
    first = str(refused.value).splitlines()[0]
    assert len(first) < 250 and "…(100000 characters) must be 1-40" in first


def test_a_recovery_file_is_read_as_strictly_as_a_profile(tmp_path: Path) -> None:
    """load_recovery used yaml.safe_load, which expands aliases: the wizard opens recovery files by path too."""
    from wizard.session import RECOVERY_HEADER, load_recovery

    bomb = tmp_path / "recovery-x.yaml"
    bomb.write_text(RECOVERY_HEADER + "\n" + _nested_aliases(4))
    with pytest.raises(InvalidInput, match="aliases are not allowed"):
        load_recovery(bomb)


def test_a_file_that_is_not_a_profile_is_refused_without_echoing_its_lines(tmp_path: Path) -> None:
    """A trial: `plan /etc/shadow` printed each line (hash included) as an "unknown key". A file none of whose
    top-level keys is a profile key is "not a studio-vpce profile", its content unshown; in a profile, an unknown
    key that has no key's shape is named by its length only (a misspelt key is still named)."""
    secret = "$6$abcdefSECRETHASH"
    shadow = tmp_path / "shadow"
    shadow.write_text(f"root:*:20228:0:99999:7:::\ndaemon:{secret}:20228:0:99999:7:::\n")
    with pytest.raises(InvalidInput) as refused:
        load(shadow)
    assert "not a studio-vpce profile" in str(refused.value) and secret not in str(refused.value)
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(f"version: 1\nname: x\ndaemon:{secret}:1:::\nnmae: z\n")
    with pytest.raises(InvalidInput) as refused:
        load(mixed)
    said = str(refused.value)
    assert secret not in said and "<a key of " in said and "mixed.yaml:4:1: nmae: unknown key" in said, said
