"""Vietnamese name folding: the same answer in Python and in SQL."""

import unicodedata

import pytest

from hrms.search import Folded, fold
from positions.models import OrgUnit
from tests.factories import make_unit

NAMES = ["Đinh Thị Đào", "NGUYỄN VĂN ỨNG", "Lưu Quý Kỳ", "Hồ Thị Ỷ Lan"]


def test_it_folds_case_marks_and_d_with_stroke():
    assert fold("Đinh Thị Đào") == "dinh thi dao"
    assert fold("NGUYỄN VĂN ỨNG") == "nguyen van ung"
    # A decomposed (NFD) name, as some Windows tools write it, folds the same.
    assert fold(unicodedata.normalize("NFD", "Lưu Quý Kỳ")) == "luu quy ky"
    assert fold(None) == ""


@pytest.mark.django_db
def test_the_database_folds_as_python_does():
    for number, name in enumerate(NAMES):
        make_unit(f"U{number}", name)
    folded = dict(
        OrgUnit.objects.annotate(folded=Folded("name")).values_list("name", "folded")
    )
    assert folded == {name: fold(name) for name in NAMES}


def test_the_search_indexes_fold_as_the_search_does():
    """The trigram indexes of the staff search hold a frozen copy of the folding
    table: a change to hrms.search needs a new migration, or the index is unused."""
    import importlib

    from hrms import search

    migration = importlib.import_module(
        "staff.migrations.0004_add_search_trigram_indexes"
    )
    assert (migration._ACCENTED, migration._PLAIN) == (search._ACCENTED, search._PLAIN)
