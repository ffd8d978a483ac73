"""The store's tables (SQLAlchemy 2 typed ORM). Schema changes go through Alembic
migrations in ``naptip/migrations``; a test checks that the two agree."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Sen(TypeDecorator[Decimal]):
    """An amount in MYR stored exactly as a whole number of sen (BigInteger) on every
    database: SQLite has no exact decimal type and would round through a float."""

    impl = BigInteger()
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        sen = value * 100
        if sen != sen.to_integral_value():
            raise ValueError("an amount in MYR has at most two decimals")
        return int(sen)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class UTCDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and always read back timezone-aware (SQLite included)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naptip stores only timezone-aware instants")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class OccurrenceRow(Base):
    """A materialised occurrence of the schedule, keyed by its stable id."""

    __tablename__ = "occurrence"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(80))
    support: Mapped[list[str]] = mapped_column(JSON, default=list)
    host: Mapped[str | None] = mapped_column(String(80))
    activity_id: Mapped[str | None] = mapped_column(String(120))
    duty_id: Mapped[str | None] = mapped_column(String(120))
    pillar: Mapped[str | None] = mapped_column(String(4))
    period: Mapped[int | None] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)
    unshifted: Mapped[date] = mapped_column(Date)
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    region: Mapped[str] = mapped_column(String(40))  #: the Malaysian state of its working days
    #: open, submitted, returned or accepted: kept in step with its evidence
    progress: Mapped[str] = mapped_column(String(12), default="open")
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        # covers the status report (with or without --year): answered from the index alone
        Index("ix_occurrence_status", "plan_id", "withdrawn", "period", "owner", "pillar",
              "progress", "due"),
        Index("ix_occurrence_plan_due", "plan_id", "due"),
        # the portal's "My work": a committee's own work by progress and date, in the
        # order a group shows it (due, id), counted from the index alone; and the
        # activities and duties it supports
        Index("ix_occurrence_work", "plan_id", "withdrawn", "owner", "progress", "due", "id"),
        # the secretariat's "My work": everyone's work by progress and date
        Index("ix_occurrence_progress", "plan_id", "withdrawn", "progress", "due", "id"),
        Index("ix_occurrence_activity", "activity_id"),
        Index("ix_occurrence_duty", "duty_id"),
    )


class OccurrenceChange(Base):
    """The history of an occurrence: what a changed plan changed, and when."""

    __tablename__ = "occurrence_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[str] = mapped_column(ForeignKey("occurrence.id"), index=True)
    changed_at: Mapped[datetime]
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)


class HeldChange(Base):
    """A change a sync wanted to make to an occurrence whose date had already passed.

    The past is kept as it was (reports, reminders and evidence referred to it): the
    attempted change is recorded here, and ``naptip schedule explain`` shows it."""

    __tablename__ = "held_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[str] = mapped_column(ForeignKey("occurrence.id"), index=True)
    attempted_at: Mapped[datetime]
    schedule: Mapped[str] = mapped_column(String(64))  #: fingerprint of the wanted schedule
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)  #: {} when it would be withdrawn


class Contact(Base):
    """A person in the contact directory: an official who receives digests.

    ``roles`` are ``"ROLE:SCOPE"`` texts (``"lead:enforcement"``, ``"secretariat:nso-mapo"``,
    ``"member:jim"``); ``urls`` extra apprise URLs whose secrets are ``${ENV}`` references.
    """

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    region: Mapped[str] = mapped_column(String(40), default="putrajaya")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Evidence(Base):
    """One submission of completion evidence for an occurrence."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[str] = mapped_column(ForeignKey("occurrence.id"))
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    nil: Mapped[bool] = mapped_column(Boolean, default=False)  #: "no such work this year"
    done_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_by: Mapped[str] = mapped_column(String(120))
    #: the id of the contact who submitted, when a contact directory named them (self-review
    #: compares contacts, not the text of ``submitted_by``). No foreign key: contacts are
    #: never deleted (only deactivated), and SQLite could not drop such a column again
    submitter_contact: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime]
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None]
    #: evidence imported from a spreadsheet (``naptip evidence import``): the file's name,
    #: the row, and the SHA-256 of the row's content that recognises it on a second import
    imported_from: Mapped[str | None] = mapped_column(String(255))
    imported_row: Mapped[int | None] = mapped_column(Integer)
    import_key: Mapped[str | None] = mapped_column(String(64))

    values: Mapped[list[EvidenceValue]] = relationship(
        back_populates="evidence", order_by="EvidenceValue.indicator", lazy="selectin")
    breakdown: Mapped[list[Breakdown]] = relationship(
        back_populates="evidence", order_by="Breakdown.id", lazy="selectin")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="evidence", order_by="Attachment.id", lazy="selectin")
    reviews: Mapped[list[Review]] = relationship(
        back_populates="evidence", order_by="Review.id", lazy="selectin")

    __table_args__ = (Index("ix_evidence_occurrence_status", "occurrence_id", "status"),
                      Index("ix_evidence_import_key", "import_key", unique=True))


class EvidenceValue(Base):
    """The value given for one indicator, in the column of its kind."""

    __tablename__ = "evidence_value"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    indicator: Mapped[int] = mapped_column(Integer)  #: 1-based, in the activity's order
    kind: Mapped[str] = mapped_column(String(12))
    count: Mapped[int | None] = mapped_column(BigInteger)
    amount: Mapped[Decimal | None] = mapped_column(Sen)  #: exact, in sen
    percentage: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    flag: Mapped[bool | None] = mapped_column(Boolean)
    on_date: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str | None] = mapped_column(Text)

    evidence: Mapped[Evidence] = relationship(back_populates="values")

    __table_args__ = (UniqueConstraint("evidence_id", "indicator"),)


class Breakdown(Base):
    """People counted by sex, nationality or age group, for one indicator."""

    __tablename__ = "breakdown"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    indicator: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(80))
    count: Mapped[int] = mapped_column(BigInteger)

    evidence: Mapped[Evidence] = relationship(back_populates="breakdown")

    __table_args__ = (UniqueConstraint("evidence_id", "indicator", "dimension", "category"),)


class Attachment(Base):
    """A document stored by its SHA-256; the uploaded name is metadata only."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120))
    original_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]

    evidence: Mapped[Evidence] = relationship(back_populates="attachments")


class Review(Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    decision: Mapped[str] = mapped_column(String(12))  #: accepted or returned
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(120))
    #: the id of the contact who reviewed, when a contact directory named them
    reviewer_contact: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime]

    evidence: Mapped[Evidence] = relationship(back_populates="reviews")


class ReminderSent(Base):
    """One reminder stage for one occurrence on one channel of one recipient: the ledger
    that makes dispatch exactly-once. Claimed (``sending``) in the transaction that decides
    to send it, then marked ``sent`` or ``failed`` (retried from ``next_attempt_at``)."""

    __tablename__ = "reminder_sent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurrence_id: Mapped[str] = mapped_column(ForeignKey("occurrence.id"))
    stage: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320))  #: the channel: an address or URL key
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    batch: Mapped[str | None] = mapped_column(String(64), index=True)  #: the message's key
    claimed_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    #: who holds a ``sending`` claim: the run's id (``naptip runs``), else a process's
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claim_host: Mapped[str | None] = mapped_column(String(120))
    claim_pid: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("occurrence_id", "stage", "recipient"),)


class RecommendationSet(Base):
    """A set of recommendations from one source (a US TIP Report's country narrative, an
    annual review, the final evaluation): loaded by the secretariat, never invented."""

    __tablename__ = "recommendation_set"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)  #: "us-tip-2025"
    source: Mapped[str] = mapped_column(String(300))  #: "US TIP Report 2025 — Malaysia"
    issued_on: Mapped[date] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(Text)  #: where its text is published
    note: Mapped[str | None] = mapped_column(Text)  #: e.g. "synthetic example"
    imported_from: Mapped[str | None] = mapped_column(String(255))  #: the file's name
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]

    items: Mapped[list[Recommendation]] = relationship(
        back_populates="set", order_by="Recommendation.id", lazy="selectin")


class Recommendation(Base):
    """One item of a set, with its owners. ``status`` is the one its last accepted update
    gave (``not-started`` until then): not-started, in-progress, implemented,
    not-accepted."""

    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[str] = mapped_column(ForeignKey("recommendation_set.id"))
    item: Mapped[str] = mapped_column(String(40))  #: the item's id within its set: "R1"
    text: Mapped[str] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(String(120))
    lead: Mapped[str | None] = mapped_column(String(60))  #: a committee id
    support: Mapped[list[str]] = mapped_column(JSON, default=list)  #: committee ids
    status: Mapped[str] = mapped_column(String(16), default="not-started")
    updated_at: Mapped[datetime]

    set: Mapped[RecommendationSet] = relationship(back_populates="items")
    links: Mapped[list[RecommendationLink]] = relationship(
        back_populates="recommendation", order_by="RecommendationLink.id", lazy="selectin")
    updates: Mapped[list[RecommendationUpdate]] = relationship(
        back_populates="recommendation", order_by="RecommendationUpdate.id",
        lazy="selectin")

    __table_args__ = (UniqueConstraint("set_id", "item"),)


class RecommendationLink(Base):
    """An item answered (in part) by one activity of one plan."""

    __tablename__ = "recommendation_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"),
                                                   index=True)
    plan_id: Mapped[str] = mapped_column(String(40))
    activity_id: Mapped[str] = mapped_column(String(40))
    linked_by: Mapped[str] = mapped_column(String(120))
    linked_at: Mapped[datetime]

    recommendation: Mapped[Recommendation] = relationship(back_populates="links")

    __table_args__ = (UniqueConstraint("recommendation_id", "plan_id", "activity_id"),)


class RecommendationUpdate(Base):
    """A status update by the item's lead committee: a status, a short narrative and its
    evidence (links; ``attachments`` are blob-store entries ``{sha256, name, size,
    media_type}``), reviewed like evidence: ``review`` is submitted, accepted, returned or
    withdrawn. An accepted update sets the item's ``status``."""

    __tablename__ = "recommendation_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"),
                                                   index=True)
    status: Mapped[str] = mapped_column(String(16))
    narrative: Mapped[str] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    review: Mapped[str] = mapped_column(String(12), default="submitted")
    submitted_by: Mapped[str] = mapped_column(String(120))
    submitter_contact: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime]
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewer_contact: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str | None] = mapped_column(Text)

    recommendation: Mapped[Recommendation] = relationship(back_populates="updates")


class AuditEntry(Base):
    """Append-only, hash-chained record of every write."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)  #: canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The last entry of the audit chain: one row, locked by each writer."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class MetaValue(Base):
    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class CalendarEntry(Base):
    """What the calendar feeds last published for one UID (one occurrence).

    SEQUENCE and LAST-MODIFIED grow only when the entry's fingerprint (its date, time,
    status or text) changes; an entry that left the plan stays, CANCELLED, for a period.
    """

    __tablename__ = "calendar_entry"

    uid: Mapped[str] = mapped_column(String(250), primary_key=True)
    occurrence_id: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12))  #: confirmed or cancelled
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  #: the entry as last published
    created_at: Mapped[datetime]
    last_modified: Mapped[datetime]
    cancelled_on: Mapped[date | None] = mapped_column(Date)  #: the day it left the plan
    #: the VEVENT as published (icalendar's bytes), and as a supporting committee sees it
    vevent: Mapped[str] = mapped_column(Text)
    vevent_support: Mapped[str | None] = mapped_column(Text)
    render_version: Mapped[int] = mapped_column(Integer)


class CalendarLink(Base):
    """An unguessable file name for a private feed (a contact's), listed by
    ``naptip calendar links``."""

    __tablename__ = "calendar_link"

    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
class WebToken(Base):
    """A portal credential: a sign-in link's token (``kind`` "link", single use) or a
    session (``kind`` "session"). Only the SHA-256 of the secret is stored."""

    __tablename__ = "web_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    contact_email: Mapped[str] = mapped_column(String(320), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]  #: a link, when it was exchanged for a session
    revoked_at: Mapped[datetime | None]  #: signed out or revoked
class RunRecord(Base):
    """One run of the day's work (``naptip run``, a Prefect flow run): what it covered,
    how it ended, and each step's counts and failures (``naptip runs list|show``)."""

    __tablename__ = "run"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: the plan whose day's work it did (each plan's runs are its own: catch-up, ``runs``)
    plan_id: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date, index=True)  #: the day it worked on
    since: Mapped[date] = mapped_column(Date)  #: the first day covered (catch-up)
    status: Mapped[str] = mapped_column(String(12))  #: running, done, failed
    trigger: Mapped[str] = mapped_column(String(40))  #: cli, prefect, ...
    host: Mapped[str] = mapped_column(String(120))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    duty: Mapped[str | None] = mapped_column(String(80))  #: a duty flow's run; None: daily
    pid: Mapped[int | None] = mapped_column(Integer)  #: the process on ``host``
    heartbeat_at: Mapped[datetime | None]  #: refreshed while the run is alive
    #: the last day this run fully covered: before ``since`` when it left work claimed
    covered_until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)  #: e.g. an alert that was not delivered

    __table_args__ = (Index("ix_run_plan_day", "plan_id", "day"),)


class OutboxMessage(Base):
    """A message "sent" while no ``[mail]`` was configured: kept in the store, so that
    every machine sees it (``naptip outbox``), and sent later through ``[mail]`` when the
    secretariat asks (``naptip outbox send``): ``unsent`` -> ``sending`` (claimed) ->
    ``sent``."""

    __tablename__ = "outbox_message"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)  #: stamp-batch
    batch: Mapped[str] = mapped_column(String(80), index=True)  #: X-Naptip-Batch
    created_at: Mapped[datetime]
    host: Mapped[str] = mapped_column(String(120))  #: the machine that wrote it
    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)  #: the whole message (RFC 5322)
    status: Mapped[str] = mapped_column(String(12), default="unsent")
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class ReportSnapshot(Base):
    """A report as it was presented (``naptip report ... --save``): its JSON figures and
    the exact bytes of the file, with their SHA-256; recorded in the audit log, so that
    ``naptip report show ID`` reproduces it byte for byte and ``audit verify`` checks it."""

    __tablename__ = "report_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  #: annual, final or committee
    years: Mapped[list[Any]] = mapped_column(JSON)
    committee: Mapped[str | None] = mapped_column(String(60))
    lang: Mapped[str] = mapped_column(String(8))
    format: Mapped[str] = mapped_column(String(8))  #: html, pdf, xlsx, json or csv
    as_of: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    saved_at: Mapped[datetime] = mapped_column(index=True)
    saved_by: Mapped[str] = mapped_column(String(120))
    figures: Mapped[str] = mapped_column(Text)  #: the report's JSON, as rendered
    content: Mapped[bytes] = mapped_column(LargeBinary)  #: the file as presented
    sha256: Mapped[str] = mapped_column(String(64))  #: of ``content``


class ReportNarrative(Base):
    """What a committee says in a report: the gaps, challenges, recommended adjustments
    (S34-O1-ii) and corrective actions of its year (``kind`` annual) or of the whole plan
    (``kind`` final, no year). Never changed: a new entry is a new row, and the latest
    entered by a report's as-of day is printed; each row is in the audit log."""

    __tablename__ = "report_narrative"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(12))  #: annual or final
    year: Mapped[int | None] = mapped_column(Integer)
    gaps: Mapped[str] = mapped_column(Text)
    challenges: Mapped[str] = mapped_column(Text)
    adjustments: Mapped[str] = mapped_column(Text)  #: recommended adjustments
    actions: Mapped[str] = mapped_column(Text)  #: corrective actions
    entered_at: Mapped[datetime]
    entered_by: Mapped[str] = mapped_column(String(120))
