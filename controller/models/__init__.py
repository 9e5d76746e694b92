"""The controller's tables (SQLAlchemy 2 declarative), one module per concern; every
model is importable from here (``from controller.models import Screen``), and importing
this package registers every table on ``Base.metadata`` (Alembic's checks compare it
with the migrations). Alembic migrations in ``controller/migrations`` create them; never
call ``create_all`` outside tests."""

from controller.models.alerts import (  # noqa: F401
    AlertIncident,
    AlertNotification,
    AlertRuleSetting,
)
from controller.models.base import (  # noqa: F401
    NAMING_CONVENTION,
    Base,
    utcnow,
)
from controller.models.cap import (  # noqa: F401
    CapAlertSeen,
    EmergencyDraft,
)
from controller.models.content import (  # noqa: F401
    APPROVED,
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    VERSION_STATES,
    Agency,
    Playlist,
    PlaylistVersion,
    Schedule,
)
from controller.models.data_templates import DataTemplateRow  # noqa: F401
from controller.models.emergencies import (  # noqa: F401
    Emergency,
    EmergencyReceipt,
)
from controller.models.layouts import LayoutRow  # noqa: F401
from controller.models.media import (  # noqa: F401
    Media,
    MediaAlias,
    MediaUpload,
    QrCode,
    QrScan,
    RenderedSlide,
    Rendition,
)
from controller.models.people import (  # noqa: F401
    ApiToken,
    User,
)
from controller.models.places import (  # noqa: F401
    Screen,
    Site,
)
from controller.models.plays import (  # noqa: F401
    PLAYS_APPEND_ONLY,
    PlayDaily,
    PlayFinding,
    PlayJournal,
    PlayRecord,
    ScreenPresence,
)
from controller.models.records import (  # noqa: F401
    AuditEntry,
    ChangeCounter,
    ChangeLogEntry,
    Job,
)
from controller.models.screens import (  # noqa: F401
    ControllerProcess,
    MediaSet,
    ScreenCommand,
    ScreenStatus,
    ScreenTimeline,
)
from controller.models.sources import (  # noqa: F401
    DataSource,
    DataSourceState,
)

__all__ = [
    "utcnow",
    "NAMING_CONVENTION",
    "Base",
    "Site",
    "Screen",
    "Media",
    "MediaAlias",
    "MediaUpload",
    "Rendition",
    "RenderedSlide",
    "QrCode",
    "QrScan",
    "Agency",
    "Playlist",
    "DRAFT",
    "IN_REVIEW",
    "APPROVED",
    "ARCHIVED",
    "VERSION_STATES",
    "PlaylistVersion",
    "Schedule",
    "User",
    "ApiToken",
    "Emergency",
    "EmergencyReceipt",
    "CapAlertSeen",
    "EmergencyDraft",
    "ScreenTimeline",
    "MediaSet",
    "ScreenStatus",
    "ControllerProcess",
    "ScreenCommand",
    "AuditEntry",
    "ChangeCounter",
    "ChangeLogEntry",
    "Job",
    "PLAYS_APPEND_ONLY",
    "PlayJournal",
    "PlayRecord",
    "PlayFinding",
    "PlayDaily",
    "ScreenPresence",
    "AlertIncident",
    "AlertNotification",
    "AlertRuleSetting",
    "DataSource",
    "DataSourceState",
    "DataTemplateRow",
]
