"""Reading import files as they come: encodings, delimiters, LinkedIn's preamble, JSON Resume, column guessing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from candidates.importing import jobs, jsonresume, linkedin, mapping, readers
from candidates.models import ImportJob

FILES = Path(__file__).parent / "files"


def _table(data: bytes) -> readers.CsvTable:
    return readers.read_csv(readers.decode(data))


def _rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    return list(_table(data).rows())


def test_it_skips_linkedins_notes_preamble_with_quoted_commas_and_line_breaks():
    table = _table((FILES / "linkedin_connections.csv").read_bytes())
    assert table.headers == list(linkedin.HEADER)
    assert table.is_linkedin
    assert table.total == 5
    rows = list(table.rows())
    line, first = rows[0]
    assert line == 6  # the line a text editor shows: three lines of notes, a blank line, the header
    assert first["First Name"] == "Zoë" and first["Company"] == "Initech, Inc." and first["Email Address"] == ""
    assert rows[1][1]["Last Name"] == "Núñez 🚀"
    assert rows[2][1]["Position"] == "Product Manager\n(Search)"
    assert rows[3][0] == 10  # the quoted line break above moved it down a line


def test_linkedins_2018_header_without_url_and_preamble_is_linkedins():
    data = (FILES / "linkedin_2018_connections.csv").read_bytes()
    table = _table(data)
    assert table.headers == list(linkedin.HEADER_2018)
    assert table.is_linkedin and table.has_header and table.total == 4
    assert jobs.detect_format("Connections.csv", readers.decode(data)) == ImportJob.Format.LINKEDIN
    line, first = next(table.rows())
    assert line == 2 and first["Connected On"] == "3/14/18, 9:05 AM"


def test_a_header_with_first_and_last_name_but_no_connected_on_is_not_linkedins():
    assert not _table(b"First Name,Last Name,Email Address\nAda,Lovelace,ada@example.com\n").is_linkedin


def test_a_file_without_a_header_keeps_its_first_row_and_unwraps_a_row_quoted_whole():
    table = _table((FILES / "linkedin_headerless_requoted.csv").read_bytes())
    assert not table.has_header and not table.is_linkedin
    assert table.headers == [f"Column {n}" for n in range(1, 7)]
    assert table.total == 4
    rows = list(table.rows())
    assert [line for line, _row in rows] == [1, 2, 3, 4]
    assert list(rows[0][1].values()) == [
        "Oskar", "Beispiel", "", "Example Beratung", "Senior Consultant", "14 Feb 2020",
    ]  # fmt: skip
    assert list(rows[1][1].values()) == [
        "Mira", "Muster", "", "Example Holding", "Strategy, Data & Analytics, Intern", "03 Mar 2020",
    ]  # fmt: skip


def test_a_connections_file_without_its_header_is_mapped_by_position():
    table = _table((FILES / "linkedin_headerless_requoted.csv").read_bytes())
    assert list(jobs.suggested_mapping(ImportJob.Format.CSV, table).values()) == [
        "first_name", "last_name", "email", "current_company", "current_title", "",
    ]  # fmt: skip
    with_urls = _table(
        b"Ada,Lovelace,https://www.linkedin.com/in/ada,,Engines,Analyst,12 Mar 2024\n"
        b"Alan,Turing,https://www.linkedin.com/in/alan,alan@example.com,,,01 Jan 2023\n"
    )
    assert list(jobs.suggested_mapping(ImportJob.Format.CSV, with_urls).values()) == [
        "first_name", "last_name", "linkedin_url", "email", "current_company", "current_title", "",
    ]  # fmt: skip


def test_other_files_without_a_header_are_guessed_from_their_values():
    table = _table(b"Ada Lovelace,ada@example.com,+44 20 7946 0958,https://ada.example.com\nAlan,,,\n")
    assert not table.has_header and table.total == 2
    assert jobs.suggested_mapping(ImportJob.Format.CSV, table) == {
        "Column 1": "", "Column 2": "email", "Column 3": "phone", "Column 4": "links",
    }  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "Who,Notes\nAda,likes maths\n",  # names we do not know, and no values among them
        "Name,Joined\nAda,12 Mar 2024\n",
        "E-mail,2024\nada@example.com,yes\n",  # a known name makes a header, whatever else is there
    ],
)
def test_a_first_row_without_data_in_it_is_a_header(text):
    table = _table(text.encode())
    assert table.has_header and table.total == 1


def test_a_row_quoted_whole_is_read_as_the_row_it_holds():
    table = _table(b'Name,Email,Company\n"Ada,ada@example.com,""Engines, Ltd"""\n"Doe, Jane",,\n')
    assert [row for _line, row in table.rows()] == [
        {"Name": "Ada", "Email": "ada@example.com", "Company": "Engines, Ltd"},
        {"Name": "Doe, Jane", "Email": "", "Company": ""},
    ]
    # Two columns are too few to tell a row quoted whole from a name with a comma in it.
    assert _rows(b'Name,City\n"Doe, Jane"\n') == [(2, {"Name": "Doe, Jane"})]


def test_a_space_after_the_delimiter_does_not_undo_the_quotes():
    assert _rows(b'Name, Company\nAda, "Engines, Ltd"\n')[0][1] == {"Name": "Ada", "Company": "Engines, Ltd"}


def test_it_reads_utf8_with_and_without_a_byte_order_mark():
    text = "Name,E-mail\nZoë Ångström,zoe@example.com\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        table = _table(data)
        assert table.headers == ["Name", "E-mail"]  # no BOM glued to the first header
        assert _rows(data)[0][1]["Name"] == "Zoë Ångström"


def test_it_falls_back_to_windows_1252():
    data = "Name;Company\nJosé Müller;Café “Zürich”\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert _rows(data)[0][1] == {"Name": "José Müller", "Company": "Café “Zürich”"}


def test_it_reads_utf16_with_a_byte_order_mark():
    data = "Name\tEmail\nAda Lovelace\tada@example.com\n".encode("utf-16")
    assert _rows(data)[0][1] == {"Name": "Ada Lovelace", "Email": "ada@example.com"}


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('Name,Email,Skills\nAda,ada@example.com,"Python; C"\nAlan,alan@example.com,Maths\n', ","),
        ("Name;Email;Skills\nAda;ada@example.com;Python, C\nAlan;alan@example.com;Maths, Logic\n", ";"),
        ("Name\tEmail\nAda\tada@example.com\n", "\t"),
        ("Email\nada@example.com\n", ","),
    ],
)
def test_it_sniffs_the_delimiter(text, delimiter):
    assert _table(text.encode()).delimiter == delimiter


def test_quoted_fields_keep_their_delimiters_and_line_breaks():
    data = b'Name,Headline\n"Doe, Jane","Builds things,\nbreaks things"\n'
    assert _rows(data)[0][1] == {"Name": "Doe, Jane", "Headline": "Builds things,\nbreaks things"}


def test_blank_lines_are_not_rows_and_short_rows_are_padded_by_absence():
    data = b"Name,Email,City\n\nAda,ada@example.com\n\n"
    table = _table(data)
    assert table.total == 1
    assert table.preview() == [["Ada", "ada@example.com", ""]]


def test_repeated_and_blank_headers_get_names_of_their_own():
    assert _table(b"Email,,Email\na@example.com,x,b@example.com\n").headers == ["Email", "Column 2", "Email (2)"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\n", "The file is empty."),
        (b"Name,Email\n", "The file has a header but no rows."),
        (b"Name,Email\n\n\n", "The file has a header but no rows."),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00", "zip archive"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (bytes(range(1, 32)) * 20, "binary"),
    ],
)
def test_files_that_cannot_be_imported_say_why(data, message):
    with pytest.raises(readers.ImportFileError, match=message):
        _table(data)


def test_a_json_resume_that_is_not_json_is_refused_with_the_position():
    with pytest.raises(readers.ImportFileError, match=r"not valid JSON: .*line 1, column"):
        jsonresume.parse('{"basics": {"name": "Ada",}}')


@pytest.mark.parametrize(
    ("text", "message"), [("[]", "no resumes"), ('"hello"', "JSON Resume object"), ('{"a": 1}', "no “basics”")]
)
def test_json_that_holds_no_resume_is_refused(text, message):
    with pytest.raises(readers.ImportFileError, match=message):
        jsonresume.parse(text)


def test_the_public_sample_resume_maps_to_a_candidate():
    [resume] = jsonresume.parse((FILES / "sample.resume.json").read_text(encoding="utf-8"))
    record = jsonresume.to_record(resume, 1)
    assert record.data == {
        "first_name": "Richard",
        "last_name": "Hendriks",
        "email": "richard.hendriks@mail.com",
        "phone": "(912) 555-4321",
        "headline": "Programmer",
        "city": "San Francisco",
        "region": "California",
        "country_code": "US",
        "current_title": "CEO/President",
        "current_company": "Pied Piper",
        # The Twitter profile gives only its username: its address is made from it.
        "links": [
            "http://richardhendricks.example.com",
            "https://twitter.com/neutralthoughts",
            "https://soundcloud.example.com/dandymusicnl",
        ],
    }
    assert record.warnings == []
    assert record.skills == ["Web Development", "HTML", "CSS", "Javascript", "Compression", "Mpeg", "MP4", "GIF"]


def test_a_resume_takes_the_linkedin_profile_and_the_current_job():
    resume = {
        "basics": {
            "name": "Ada King Lovelace",
            "profiles": [
                {"network": "GitHub", "url": "https://github.com/ada"},
                {"network": "LinkedIn", "username": "ada-lovelace", "url": ""},
            ],
        },
        "work": [
            {"name": "Babbage & Co", "position": "Analyst", "startDate": "1840-01-01", "endDate": "1842-01-01"},
            {"name": "Analytical Engines", "position": "Programmer", "startDate": "1842-01-01"},
        ],
    }
    data = jsonresume.to_record(resume, 1).data
    assert (data["first_name"], data["last_name"]) == ("Ada King", "Lovelace")
    assert data["linkedin_url"] == "linkedin.com/in/ada-lovelace"
    assert data["links"] == ["https://github.com/ada"]
    assert (data["current_title"], data["current_company"]) == ("Programmer", "Analytical Engines")


def test_when_every_job_ended_the_last_to_end_gives_the_title():
    work = [
        {"name": "Early Ltd", "position": "Intern", "endDate": "2012"},
        {"name": "Later Ltd", "position": "Lead", "startDate": "2016-02", "endDate": "2021-06-30"},
        {"name": "Middle Ltd", "position": "Developer", "endDate": "2016-01"},
    ]
    data = jsonresume.to_record({"basics": {"name": "Ada"}, "work": work}, 1).data
    assert (data["current_title"], data["current_company"]) == ("Lead", "Later Ltd")


def test_an_array_element_that_is_not_a_resume_becomes_a_row_error():
    records = [jsonresume.to_record(r, n) for n, r in enumerate(jsonresume.parse(json.dumps([{"basics": {}}, 7])), 1)]
    assert records[0].error == ""
    assert records[1].row == 2 and "Not a JSON Resume" in records[1].error


def test_headers_are_mapped_by_name_and_synonym():
    headers = [
        "First Name", "Last Name", "E-mail", "Organisation", "Job Title", "Mobile", "City", "Country",
        "Skills", "Tags", "LinkedIn", "Connected On",
    ]  # fmt: skip
    assert mapping.auto_map(headers) == {
        "First Name": "first_name", "Last Name": "last_name", "E-mail": "email", "Organisation": "current_company",
        "Job Title": "current_title", "Mobile": "phone", "City": "city", "Country": "country_code",
        "Skills": "skills", "Tags": "tags", "LinkedIn": "linkedin_url", "Connected On": "",
    }  # fmt: skip


def test_a_url_column_is_linkedin_when_its_values_are():
    linkedin_rows = [{"URL": "https://www.linkedin.com/in/ada"}, {"URL": ""}]
    other_rows = [{"URL": "https://ada.example.com"}]
    assert mapping.auto_map(["Name", "URL"], linkedin_rows)["URL"] == "linkedin_url"
    assert mapping.auto_map(["Name", "URL"], other_rows)["URL"] == "links"


def test_a_field_is_guessed_for_one_column_only():
    assert mapping.auto_map(["Email", "Email Address"]) == {"Email": "email", "Email Address": ""}


def test_applying_a_mapping_splits_names_lists_and_countries():
    chosen = {"Name": "full_name", "Skills": "skills", "Tags": "tags", "Country": "country_code", "Mail": "email"}
    row = {
        "Name": "Grace Brewster Hopper",
        "Skills": "COBOL; Compilers, Teaching",
        "Tags": "navy",
        "Country": "United Kingdom",
        "Mail": "grace@example.com; g.hopper@example.com",
    }
    data, skills, tags = mapping.apply(chosen, row)
    assert data == {
        "first_name": "Grace Brewster",
        "last_name": "Hopper",
        "country_code": "GB",
        "email": "grace@example.com",
    }
    assert skills == ["COBOL", "Compilers", "Teaching"] and tags == ["navy"]


def test_a_mapping_is_checked_against_the_columns():
    headers = ["Name", "Email", "Work email"]
    assert mapping.validate({"Email": "email"}, headers) == {"Name": "", "Email": "email", "Work email": ""}
    cases = [
        ({"Phone": "phone"}, "Not columns of this file: Phone"),
        ({"Email": "salary"}, "Not fields we import: salary"),
        ({"Email": "email", "Work email": "email"}, "more than one column"),
        ({"Name": ""}, "Choose a column for the name, the e-mail or the LinkedIn URL."),
        (["email"], "JSON object"),
    ]
    for given, message in cases:
        with pytest.raises(Exception, match=message):
            mapping.validate(given, headers)
