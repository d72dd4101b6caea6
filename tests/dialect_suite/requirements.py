"""What the Data API dialects support, for SQLAlchemy's compliance suite.

Each requirement turned off names the Data API limit that makes it so.
"""

from __future__ import annotations

from sqlalchemy.testing import exclusions
from sqlalchemy.testing.requirements import SuiteRequirements


class Requirements(SuiteRequirements):
    pass
