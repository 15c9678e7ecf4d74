"""The quarantine tests' fixtures (sites, their managers, people under central quarantine), shared
by the modules of this folder."""

from fangkong.quarantine.tests.test_quarantine import (  # noqa: F401
    managers,
    other_site,
    quarantined,
    site,
)
