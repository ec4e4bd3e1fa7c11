"""SQLAlchemy declarative models of the identity data.

The schema is created by the hand-written alembic revisions in
``migrations/versions``; a unit test compares this metadata with the
migrated schema on SQLite and PostgreSQL so the two cannot drift. Ids are
Keystone's: 32 hex characters of a uuid4 unless the caller gives one (the
``default`` domain, user-chosen region ids). Datetimes are naive and UTC.
"""

import datetime
import uuid

import sqlalchemy as sa
from sqlalchemy import orm

ID_LENGTH = 64
NAME_LENGTH = 255
# Assignment types, as Keystone names them: actor kind + target kind.
USER_PROJECT = 'UserProject'
GROUP_PROJECT = 'GroupProject'
USER_DOMAIN = 'UserDomain'
GROUP_DOMAIN = 'GroupDomain'
USER_SYSTEM = 'UserSystem'
GROUP_SYSTEM = 'GroupSystem'
# type -> (actor kind, target kind)
ASSIGNMENT_KINDS = {
    USER_PROJECT: ('user', 'project'), GROUP_PROJECT: ('group', 'project'),
    USER_DOMAIN: ('user', 'domain'), GROUP_DOMAIN: ('group', 'domain'),
    USER_SYSTEM: ('user', 'system'), GROUP_SYSTEM: ('group', 'system'),
}
ASSIGNMENT_TYPES = tuple(ASSIGNMENT_KINDS)


def assignment_type(actor_kind, target_kind):
    """Return the assignment type of an actor kind on a target kind."""
    for name, kinds in ASSIGNMENT_KINDS.items():
        if kinds == (actor_kind, target_kind):
            return name
    raise ValueError('no assignment type for a %s on a %s'
                     % (actor_kind, target_kind))


def assignment_types(actor_kind=None, target_kind=None):
    """Return the assignment types with this actor and/or target kind."""
    return [name for name, (actor, target) in ASSIGNMENT_KINDS.items()
            if actor_kind in (None, actor) and target_kind in (None, target)]


# The target id of system assignments: there is one system, "all".
SYSTEM_TARGET = 'system'
INTERFACES = ('public', 'internal', 'admin')

# Explicit names, so migrations can refer to (and later drop) constraints
# by the same names on every backend.
NAMING_CONVENTION = {
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}


def new_id():
    """Return a new Keystone-style id: 32 lower-case hex characters."""
    return uuid.uuid4().hex


def utcnow():
    """Return the current time as a naive UTC datetime (how it is stored)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Base(orm.DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _id(*args, **kwargs):
    return orm.mapped_column(sa.String(ID_LENGTH), *args, **kwargs)


def _extra():
    return orm.mapped_column(sa.JSON, nullable=False, default=dict)


def _enabled():
    return orm.mapped_column(sa.Boolean, nullable=False, default=True)


class Domain(Base):
    """A Keystone domain: a namespace for users and projects."""

    __tablename__ = 'domain'

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False, unique=True)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    enabled: orm.Mapped[bool] = _enabled()
    extra: orm.Mapped[dict] = _extra()
    options: orm.Mapped[dict] = _extra()
    # Loaded with the domains (one query per batch); the database deletes
    # them with their domain.
    tag_rows: orm.Mapped[list['DomainTag']] = orm.relationship(
        lazy='selectin', cascade='all, delete-orphan', passive_deletes=True,
        order_by='DomainTag.name')


class Project(Base):
    """A project; ``parent_id`` is None for a project directly in a domain."""

    __tablename__ = 'project'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name'),)

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    domain_id: orm.Mapped[str] = _id(sa.ForeignKey('domain.id'),
                                     nullable=False)
    parent_id: orm.Mapped[str | None] = _id(sa.ForeignKey('project.id'),
                                            nullable=True)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    enabled: orm.Mapped[bool] = _enabled()
    extra: orm.Mapped[dict] = _extra()
    options: orm.Mapped[dict] = _extra()
    tag_rows: orm.Mapped[list['ProjectTag']] = orm.relationship(
        lazy='selectin', cascade='all, delete-orphan', passive_deletes=True,
        order_by='ProjectTag.name')


class User(Base):
    """A local user; the password hash never leaves the store as API data."""

    __tablename__ = 'user'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name'),)

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    domain_id: orm.Mapped[str] = _id(sa.ForeignKey('domain.id'),
                                     nullable=False)
    enabled: orm.Mapped[bool] = _enabled()
    password_hash: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(NAME_LENGTH))
    password_created_at: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(sa.DateTime))
    default_project_id: orm.Mapped[str | None] = _id(nullable=True)
    extra: orm.Mapped[dict] = _extra()
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, nullable=False, default=utcnow)
    # Resource options (lock_password, ignore_password_expiry, ...).
    options: orm.Mapped[dict] = _extra()
    # [security_compliance]: when the current password stops working
    # (None: never), whether its owner chose it (a self-service change;
    # minimum_password_age applies only then), and login bookkeeping.
    password_expires_at: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(sa.DateTime))
    password_self_service: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False)
    failed_auth_count: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    failed_auth_at: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(sa.DateTime))
    last_active_at: orm.Mapped[datetime.date | None] = orm.mapped_column(
        sa.Date)


class PasswordHistory(Base):
    """A user's earlier password hashes, newest last
    (``[security_compliance] unique_last_password_count``)."""

    __tablename__ = 'password_history'

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    user_id: orm.Mapped[str] = _id(
        sa.ForeignKey('user.id', ondelete='CASCADE'), nullable=False,
        index=True)
    password_hash: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, nullable=False, default=utcnow)


class Role(Base):
    """A role: global (``domain_id`` None) or specific to one domain.

    Global role names are unique among global roles, domain-specific ones
    within their domain (a partial index, since NULLs never collide).
    """

    __tablename__ = 'role'
    __table_args__ = (
        sa.UniqueConstraint('domain_id', 'name'),
        sa.Index('ux_role_global_name', 'name', unique=True,
                 sqlite_where=sa.text('domain_id IS NULL'),
                 postgresql_where=sa.text('domain_id IS NULL')),
    )

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    domain_id: orm.Mapped[str | None] = _id(sa.ForeignKey('domain.id'),
                                            nullable=True)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    options: orm.Mapped[dict] = _extra()
    extra: orm.Mapped[dict] = _extra()


class ImpliedRole(Base):
    """Holding ``prior_role_id`` also gives ``implied_role_id``."""

    __tablename__ = 'implied_role'

    prior_role_id: orm.Mapped[str] = _id(
        sa.ForeignKey('role.id', ondelete='CASCADE'), primary_key=True)
    implied_role_id: orm.Mapped[str] = _id(
        sa.ForeignKey('role.id', ondelete='CASCADE'), primary_key=True)


class Group(Base):
    """A group of users in a domain; roles granted to it reach its members."""

    __tablename__ = 'group'
    __table_args__ = (sa.UniqueConstraint('domain_id', 'name'),)

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    domain_id: orm.Mapped[str] = _id(sa.ForeignKey('domain.id'),
                                     nullable=False)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    extra: orm.Mapped[dict] = _extra()


class Membership(Base):
    """User ``user_id`` is a member of group ``group_id``."""

    __tablename__ = 'user_group_membership'

    user_id: orm.Mapped[str] = _id(
        sa.ForeignKey('user.id', ondelete='CASCADE'), primary_key=True)
    group_id: orm.Mapped[str] = _id(
        sa.ForeignKey('group.id', ondelete='CASCADE'), primary_key=True,
        index=True)


class Assignment(Base):
    """A role granted to a user or group on a project, domain or the system.

    ``type`` says which (``UserProject``, ``GroupDomain``, ...); system
    grants have the target id ``system``. An ``inherited`` grant on a domain
    or project applies to every project below it, not to the target itself.
    """

    __tablename__ = 'assignment'
    __table_args__ = (
        sa.CheckConstraint(
            'type IN (%s)' % ', '.join("'%s'" % t for t in ASSIGNMENT_TYPES),
            name='type'),
    )

    type: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), primary_key=True)
    actor_id: orm.Mapped[str] = _id(primary_key=True, index=True)
    target_id: orm.Mapped[str] = _id(primary_key=True, index=True)
    role_id: orm.Mapped[str] = _id(sa.ForeignKey('role.id'),
                                   primary_key=True)
    inherited: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, primary_key=True, default=False)


class Region(Base):
    """A region of the service catalog; regions nest via the parent."""

    __tablename__ = 'region'

    id: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), primary_key=True, default=new_id)
    description: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False, default='')
    parent_region_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(NAME_LENGTH), sa.ForeignKey('region.id'), nullable=True)
    extra: orm.Mapped[dict] = _extra()


class Service(Base):
    """A service of the catalog (identity, compute, ...)."""

    __tablename__ = 'service'

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    type: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False, default='')
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    enabled: orm.Mapped[bool] = _enabled()
    extra: orm.Mapped[dict] = _extra()


class Endpoint(Base):
    """One URL of a service, for one interface, optionally in a region."""

    __tablename__ = 'endpoint'
    __table_args__ = (
        sa.CheckConstraint("interface IN ('public', 'internal', 'admin')",
                           name='interface'),
    )

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    service_id: orm.Mapped[str] = _id(sa.ForeignKey('service.id'),
                                      nullable=False, index=True)
    region_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(NAME_LENGTH), sa.ForeignKey('region.id'), nullable=True)
    interface: orm.Mapped[str] = orm.mapped_column(
        sa.String(8), nullable=False)
    url: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    enabled: orm.Mapped[bool] = _enabled()
    extra: orm.Mapped[dict] = _extra()


class RevocationEvent(Base):
    """Tokens matching every non-null field, issued before, are revoked."""

    __tablename__ = 'revocation_event'

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    audit_id: orm.Mapped[str | None] = _id(nullable=True, index=True)
    user_id: orm.Mapped[str | None] = _id(nullable=True, index=True)
    project_id: orm.Mapped[str | None] = _id(nullable=True)
    domain_id: orm.Mapped[str | None] = _id(nullable=True)
    role_id: orm.Mapped[str | None] = _id(nullable=True)
    issued_before: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, nullable=False)
    revoked_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        sa.DateTime, nullable=False, index=True, default=utcnow)
    # The revision its transaction made (keystone_like.db.revision):
    # validators load the events of revisions they have not seen yet.
    revision: orm.Mapped[int] = orm.mapped_column(
        sa.BigInteger, nullable=False, default=0, index=True)


class Revision(Base):
    """One counter, bumped by every transaction that changes data a token's
    meaning may depend on (see keystone_like.db.revision)."""

    __tablename__ = 'revision'

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    value: orm.Mapped[int] = orm.mapped_column(sa.BigInteger,
                                               nullable=False)
    # Random, new whenever the counter starts over (a new or wiped
    # database), so a cache never mistakes one for the other.
    epoch: orm.Mapped[str] = orm.mapped_column(sa.String(32),
                                               nullable=False)


class Credential(Base):
    """A user's credential (/v3/credentials, OS-EC2); the blob encrypted.

    ``encrypted_blob`` is a Fernet token of the credential key repository's
    key whose hash is ``key_hash``. Deleting the user or the project
    deletes the credential (as Keystone does).
    """

    __tablename__ = 'credential'

    id: orm.Mapped[str] = _id(primary_key=True)
    user_id: orm.Mapped[str] = _id(
        sa.ForeignKey('user.id', ondelete='CASCADE'), nullable=False,
        index=True)
    project_id: orm.Mapped[str | None] = _id(
        sa.ForeignKey('project.id', ondelete='CASCADE'), nullable=True,
        index=True)
    type: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    encrypted_blob: orm.Mapped[str] = orm.mapped_column(
        sa.Text, nullable=False)
    key_hash: orm.Mapped[str] = orm.mapped_column(
        sa.String(ID_LENGTH), nullable=False, index=True)
    extra: orm.Mapped[dict] = _extra()


class ApplicationCredential(Base):
    """A user's secret for one project: authenticates as the user, with at
    most ``roles`` there. Deleted with its user or its project (cascade).

    ``secret_hash`` is made like a password hash; the secret itself is
    never stored. ``unrestricted`` and ``system`` are None unless given,
    as Keystone stores them.
    """

    __tablename__ = 'application_credential'
    __table_args__ = (sa.UniqueConstraint('user_id', 'name'),)

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    secret_hash: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    user_id: orm.Mapped[str] = _id(
        sa.ForeignKey('user.id', ondelete='CASCADE'), nullable=False)
    project_id: orm.Mapped[str] = _id(
        sa.ForeignKey('project.id', ondelete='CASCADE'), nullable=False,
        index=True)
    system: orm.Mapped[str | None] = _id(nullable=True)
    expires_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime)
    unrestricted: orm.Mapped[bool | None] = orm.mapped_column(sa.Boolean)


class ApplicationCredentialRole(Base):
    """A role an application credential may use on its project."""

    __tablename__ = 'app_cred_role'

    app_cred_id: orm.Mapped[str] = _id(
        sa.ForeignKey('application_credential.id', ondelete='CASCADE'),
        primary_key=True)
    role_id: orm.Mapped[str] = _id(
        sa.ForeignKey('role.id', ondelete='CASCADE'), primary_key=True,
        index=True)


class AccessRule(Base):
    """A request (service type, method, path pattern) a user's application
    credentials may be limited to; shared by the user's credentials."""

    __tablename__ = 'access_rule'
    __table_args__ = (
        sa.UniqueConstraint('user_id', 'service', 'path', 'method'),)

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    user_id: orm.Mapped[str] = _id(
        sa.ForeignKey('user.id', ondelete='CASCADE'), nullable=False)
    service: orm.Mapped[str] = orm.mapped_column(
        sa.String(ID_LENGTH), nullable=False)
    path: orm.Mapped[str] = orm.mapped_column(sa.String(225), nullable=False)
    method: orm.Mapped[str] = orm.mapped_column(sa.String(16),
                                                nullable=False)


class ApplicationCredentialAccessRule(Base):
    """An application credential is limited to this access rule.

    No cascade from the rule: a rule in use cannot be deleted.
    """

    __tablename__ = 'app_cred_access_rule'

    app_cred_id: orm.Mapped[str] = _id(
        sa.ForeignKey('application_credential.id', ondelete='CASCADE'),
        primary_key=True)
    access_rule_id: orm.Mapped[str] = _id(
        sa.ForeignKey('access_rule.id'), primary_key=True, index=True)


class Trust(Base):
    """A trustor delegates roles on a project to a trustee (OS-TRUST).

    Deleting the trustor, the trustee, the project or the trust this one
    was redelegated from deletes it (the database cascades). The unique
    constraint is Keystone's: NULLs never collide, so only trusts with the
    same expiry time are duplicates.
    """

    __tablename__ = 'trust'
    __table_args__ = (
        sa.UniqueConstraint('trustor_user_id', 'trustee_user_id',
                            'project_id', 'impersonation', 'expires_at',
                            name='duplicate_trust_constraint'),
    )

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    trustor_user_id: orm.Mapped[str] = _id(
        sa.ForeignKey('user.id', ondelete='CASCADE'), nullable=False)
    trustee_user_id: orm.Mapped[str] = _id(
        sa.ForeignKey('user.id', ondelete='CASCADE'), nullable=False,
        index=True)
    project_id: orm.Mapped[str | None] = _id(
        sa.ForeignKey('project.id', ondelete='CASCADE'), nullable=True,
        index=True)
    impersonation: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False)
    expires_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime)
    remaining_uses: orm.Mapped[int | None] = orm.mapped_column(sa.Integer)
    redelegated_trust_id: orm.Mapped[str | None] = _id(
        sa.ForeignKey('trust.id', ondelete='CASCADE'), nullable=True,
        index=True)
    redelegation_count: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    extra: orm.Mapped[dict] = _extra()


class TrustRole(Base):
    """A role a trust delegates.

    No foreign key to the role: as in Keystone a deleted role stays named
    by the trust, whose tokens then stop validating (the trustor no longer
    holds every delegated role).
    """

    __tablename__ = 'trust_role'

    trust_id: orm.Mapped[str] = _id(
        sa.ForeignKey('trust.id', ondelete='CASCADE'), primary_key=True)
    role_id: orm.Mapped[str] = _id(primary_key=True)


# Project tags, resource limits, endpoint filtering and policies.

def _cascade(target, nullable=False, primary_key=False, length=ID_LENGTH):
    """A column referencing ``target``; its rows go when the target goes."""
    return orm.mapped_column(sa.String(length), sa.ForeignKey(
        target, ondelete='CASCADE'), nullable=nullable,
        primary_key=primary_key)


class ProjectTag(Base):
    """A tag of a project (``?tags=`` filters on these)."""

    __tablename__ = 'project_tag'

    project_id: orm.Mapped[str] = _cascade('project.id', primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), primary_key=True, index=True)


class DomainTag(Base):
    """A tag of a domain (a project acting as a domain, in Keystone)."""

    __tablename__ = 'domain_tag'

    domain_id: orm.Mapped[str] = _cascade('domain.id', primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), primary_key=True, index=True)


class RegisteredLimit(Base):
    """The default limit of a resource of a service (in a region).

    One per (service, region, resource); NULL regions never collide in a
    unique constraint, hence the partial index.
    """

    __tablename__ = 'registered_limit'
    __table_args__ = (
        sa.UniqueConstraint('service_id', 'region_id', 'resource_name'),
        sa.Index('ux_registered_limit_no_region', 'service_id',
                 'resource_name', unique=True,
                 sqlite_where=sa.text('region_id IS NULL'),
                 postgresql_where=sa.text('region_id IS NULL')),
    )

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    service_id: orm.Mapped[str] = _cascade('service.id')
    region_id: orm.Mapped[str | None] = _cascade(
        'region.id', nullable=True, length=NAME_LENGTH)
    resource_name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    default_limit: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)


class Limit(Base):
    """A project's or a domain's own limit of a registered resource."""

    __tablename__ = 'limit'
    __table_args__ = (
        sa.UniqueConstraint('registered_limit_id', 'project_id'),
        sa.UniqueConstraint('registered_limit_id', 'domain_id'),
        sa.CheckConstraint('(project_id IS NULL) != (domain_id IS NULL)',
                           name='one_owner'),
    )

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    registered_limit_id: orm.Mapped[str] = _cascade('registered_limit.id')
    project_id: orm.Mapped[str | None] = _cascade('project.id', nullable=True)
    domain_id: orm.Mapped[str | None] = _cascade('domain.id', nullable=True)
    resource_limit: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)


class EndpointGroup(Base):
    """Endpoints matching ``filters`` (service_id, region_id, interface)."""

    __tablename__ = 'endpoint_group'

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    name: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    filters: orm.Mapped[dict] = orm.mapped_column(sa.JSON, nullable=False)


class ProjectEndpoint(Base):
    """Endpoint ``endpoint_id`` is in the catalog of ``project_id``."""

    __tablename__ = 'project_endpoint'

    endpoint_id: orm.Mapped[str] = _cascade('endpoint.id', primary_key=True)
    project_id: orm.Mapped[str] = _cascade('project.id', primary_key=True)


class ProjectEndpointGroup(Base):
    """The endpoints of a group are in the catalog of ``project_id``."""

    __tablename__ = 'project_endpoint_group'

    endpoint_group_id: orm.Mapped[str] = _cascade('endpoint_group.id',
                                                  primary_key=True)
    project_id: orm.Mapped[str] = _cascade('project.id', primary_key=True)


class Policy(Base):
    """A policy document (``blob``) of a MIME ``type``, kept for services."""

    __tablename__ = 'policy'

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    type: orm.Mapped[str] = orm.mapped_column(
        sa.String(NAME_LENGTH), nullable=False)
    blob: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    extra: orm.Mapped[dict] = _extra()


class PolicyAssociation(Base):
    """The policy of an endpoint, of a service, or of a service in a region.

    At most one policy per target; the columns that do not apply are NULL,
    so uniqueness is checked by the store.
    """

    __tablename__ = 'policy_association'

    id: orm.Mapped[str] = _id(primary_key=True, default=new_id)
    policy_id: orm.Mapped[str] = _cascade('policy.id')
    endpoint_id: orm.Mapped[str | None] = _cascade('endpoint.id',
                                                   nullable=True)
    service_id: orm.Mapped[str | None] = _cascade('service.id', nullable=True)
    region_id: orm.Mapped[str | None] = _cascade(
        'region.id', nullable=True, length=NAME_LENGTH)
