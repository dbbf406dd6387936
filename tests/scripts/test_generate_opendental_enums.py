"""The permission-type dictionary is generated from OpenDental's C# enum, and the committed macro is exactly
what the generator writes (a hand edit fails here). No database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.generate_opendental_enums import OUT, EnumParseError, main, parse_csharp_enum, render_macro

CSHARP = """
namespace OpenDentBusiness {
    ///<summary>Comments, attributes, implicit and explicit codes, as in GroupPermission.cs.</summary>
    public enum EnumPermType {
        ///<summary>0</summary>
        [Description("None")]
        None,
        ///<summary>1. {not, a member}</summary>
        AppointmentsModule,
        /* a block comment, with = 7 */
        FamilyModule,//2
        [Description("Setup"), Obsolete]
        Setup=8,
        RxCreate,
    }
    public enum Other { A, B }
}
"""


def test_parser_counts_codes_as_csharp_does() -> None:
    assert parse_csharp_enum(CSHARP, "EnumPermType") == {
        0: "None", 1: "AppointmentsModule", 2: "FamilyModule", 8: "Setup", 9: "RxCreate"
    }  # fmt: skip
    assert parse_csharp_enum(CSHARP, "Other") == {0: "A", 1: "B"}


def test_parser_refuses_what_it_cannot_read() -> None:
    with pytest.raises(EnumParseError, match="no 'enum Missing'"):
        parse_csharp_enum(CSHARP, "Missing")
    with pytest.raises(EnumParseError, match="code 1 given to both"):
        parse_csharp_enum("enum E { A=1, B=1 }", "E")


def test_committed_macro_is_the_generators_output() -> None:
    text = OUT.read_text()
    members = {int(code): label for code, label in re.findall(r"(\d+): '(\w+)'", text)}
    origin = re.search(r"GroupPermission\.cs \((.*?)\):", text)
    assert origin and render_macro(members, origin.group(1)) == text
    assert len(members) == 258 and sorted(members) == list(range(258))
    assert (members[2], members[8], members[83], members[89]) == ("FamilyModule", "Setup", "UserLogOnOff", "ImageEdit")


def test_cli_writes_the_macro_from_a_checkout(tmp_path: Path) -> None:
    src = tmp_path / "opendental" / "OpenDentBusiness" / "TableTypes"
    src.mkdir(parents=True)
    (src / "GroupPermission.cs").write_text(CSHARP)
    out = tmp_path / "macro.sql"
    assert main(["--opendental-src", str(tmp_path / "opendental"), "--out", str(out)]) == 0
    assert "8: 'Setup', 9: 'RxCreate'" in out.read_text()
    assert main(["--opendental-src", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
