"""The directory's version stamp: raised with every change of a listing, so each app server's
in-process matching index can read just the listings that changed (decision 0096).

``stamp_take`` raises the single ``DirectoryStamp`` row and returns the new version; the row
stays locked until the transaction commits, so versions become visible in the order they
were handed out. ``services_stamp`` marks listings changed at a new version, in the caller's
transaction. Model signals (connected in ``apps.py``) stamp every ORM write of a service:
``save()``, ``delete()`` (and cascades) and changes of its codes and places; the importer,
which writes rows with plain SQL, stamps its listings itself. A ``QuerySet.update()`` of
services sends no signal: call ``services_stamp`` after one.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from bridgeway.directory.models import DirectoryStamp, RemovedService, Service

# Rows per UPDATE ... WHERE id IN (...), under SQLite's parameter limit.
CHUNK = 2000
# The relations a matching profile reads; a change of any of them changes the listing.
MATCHED_RELATIONS = (
    "districts",
    "police_force_areas",
    "languages",
    "harm_types",
    "ethnic_groups",
    "religions",
)


def directory_stamp() -> int:
    """The directory's version now (one read of one row by primary key)."""
    version = DirectoryStamp.objects.filter(pk=1).values_list("version", flat=True).first()
    return 0 if version is None else int(version)


def stamp_take() -> int:
    """Raise the directory's version and return it; call inside the writing transaction."""
    with transaction.atomic():
        if not DirectoryStamp.objects.filter(pk=1).update(version=F("version") + 1):
            # The row is made by migration 0005; a flushed database (tests) has lost it.
            DirectoryStamp.objects.get_or_create(pk=1, defaults={"version": 0})
            DirectoryStamp.objects.filter(pk=1).update(version=F("version") + 1)
        return directory_stamp()


def services_stamp(service_ids: Collection[uuid.UUID | str]) -> int:
    """Mark the listings as changed at a new version of the directory; returns the version.

    Call it last in the transaction that changed them: the version row stays locked until
    the commit, and taking it last means two writers never wait on each other in turn.
    """
    with transaction.atomic():
        version = stamp_take()
        _stamp_rows([str(i) for i in service_ids], version)
        return version


def _stamp_rows(ids: list[str], version: int) -> None:
    """Set ``stamp`` on the listings: one UPDATE with an array of ids on PostgreSQL, chunks
    of placeholders on SQLite, each id converted once. ``filter(pk__in=...).update()``
    converted each id through the field and, on PostgreSQL, had the driver split a query of
    2,000 placeholders a chunk: a sixth of an import of 10,000 new services."""
    if not ids:
        return
    quote = connection.ops.quote_name
    # Names come from the model, quoted; values are parameters.
    update = "UPDATE {} SET {} = %s WHERE {}".format(  # noqa: S608
        quote(Service._meta.db_table), quote("stamp"), quote("id")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{update} = ANY(%s::uuid[])", [version, ids])
            return
        # SQLite keeps a UUID as its 32 hex characters.
        hexes = [uuid.UUID(i).hex for i in ids]
        for start in range(0, len(hexes), CHUNK):
            chunk = hexes[start : start + CHUNK]
            cursor.execute(f"{update} IN ({', '.join(['%s'] * len(chunk))})", [version, *chunk])


def services_removed(service_ids: Iterable[uuid.UUID]) -> None:
    """Record services deleted outright, for indexes in other processes to drop."""
    with transaction.atomic():
        version = stamp_take()
        for service_id in service_ids:
            RemovedService.objects.update_or_create(
                service_id=service_id, defaults={"stamp": version}
            )


def on_service_saved(sender: Any, instance: Service, **kwargs: Any) -> None:
    """``post_save``: stamp the listing just written."""
    if kwargs.get("raw"):
        return  # loading fixtures: the rows carry their own stamps
    instance.stamp = services_stamp([instance.pk])


def on_service_deleted(sender: Any, instance: Service, **kwargs: Any) -> None:
    """``post_delete``: leave a tombstone, since the row cannot carry its stamp any more."""
    services_removed([instance.pk])


def on_cost_option_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` of a cost option: its listing's cost may have changed."""
    if kwargs.get("raw"):
        return
    if Service.objects.filter(pk=instance.service_id).exists():
        services_stamp([instance.service_id])


def on_organisation_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """``post_save`` of an organisation: its name and details are part of each of its
    listings' public page and feed record, kept under the stamp (decision 0153)."""
    if kwargs.get("raw") or created:
        return
    ids = list(Service.objects.filter(organisation_id=instance.pk).values_list("pk", flat=True))
    if ids:
        services_stamp(ids)


def on_relation_changed(
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[Any] | None,
    **kwargs: Any,
) -> None:
    """``m2m_changed`` of a matched relation: stamp the listings whose codes changed."""
    if action == "pre_clear" and reverse:
        # From the code's side the listings are known only before they are cleared.
        instance._cleared_services = list(
            sender.objects.filter(**{_side(sender, instance): instance.pk}).values_list(
                "service_id", flat=True
            )
        )
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        if action == "post_clear" or pk_set:
            services_stamp([instance.pk])
    elif action == "post_clear":
        services_stamp(getattr(instance, "_cleared_services", []))
    elif pk_set:
        services_stamp(pk_set)


def _side(through: Any, instance: Any) -> str:
    """The through model's column pointing at ``instance``'s model."""
    for field in through._meta.get_fields():
        if getattr(field, "related_model", None) is type(instance) and field.name != "service":
            return f"{field.name}_id"
    raise LookupError(type(instance).__name__)
