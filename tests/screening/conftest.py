from pathlib import Path

import pytest

from screening.services import list_import, list_parse

# The sample lists ship inside the app (the demo needs them too); tests read that one copy.
SAMPLES = Path(__file__).resolve().parents[2] / "screening" / "sample_lists"
EU_XML = SAMPLES / "eu-fsf-sample.xml"
OFAC_DIR = SAMPLES / "ofac"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def eu_version(db):
    return list_import(parsed=list_parse(path=EU_XML, fmt="eu-xml"))[0]


@pytest.fixture
def ofac_version(db):
    return list_import(parsed=list_parse(path=OFAC_DIR, fmt="ofac-csv"))[0]


@pytest.fixture
def ofac_copy(tmp_path):
    """A writable copy of the OFAC folder, for breaking one file."""
    folder = tmp_path / "ofac"
    folder.mkdir()
    for name in ("sdn.csv", "alt.csv", "add.csv"):
        (folder / name).write_bytes((OFAC_DIR / name).read_bytes())
    return folder
