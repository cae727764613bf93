"""The control plane's state (seed, scale, clock, tenants, fault rules), kept in the live database beside the records.

Keeping it there makes three things one mechanism: a reset (cloning the start-up template) clears faults, the clock
and created tenants together with the records; with `--data-dir` every acknowledged write is in the WAL file, so it
survives `kill -9`; and every worker sees every change. Each process caches what it read and re-reads only when
`PRAGMA data_version` says another connection committed (a cheap check made once per request).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

META = "emu_meta"
TENANTS = "emu_tenants"
FAULTS = "emu_faults"


@dataclass(frozen=True)
class TenantRow:
    vendor: str
    id: str
    doc: dict[str, Any]  # the tenant exactly as the manifest's `tenants` section holds it
    generate: bool  # whether generated data belongs to it (a reseed regenerates it)


@dataclass(frozen=True)
class FaultRow:
    id: str
    rule: dict[str, Any]
    matched: int  # requests the rule matched (whether or not it fired)
    fired: int


def create_tables(conn: sqlite3.Connection) -> None:
    conn.execute(f"CREATE TABLE IF NOT EXISTS {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TENANTS} (vendor TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, "
        "generate INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (vendor, id))"
    )
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {FAULTS} (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, "
        "matched INTEGER NOT NULL DEFAULT 0, fired INTEGER NOT NULL DEFAULT 0)"
    )


def write_meta(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute(f"INSERT OR REPLACE INTO {META} (key, value) VALUES (?, ?)", (key, json.dumps(value)))


def read_meta(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    row = conn.execute(f"SELECT value FROM {META} WHERE key=?", (key,)).fetchone()
    return default if row is None else json.loads(row[0])


def insert_tenant(conn: sqlite3.Connection, tenant: TenantRow) -> None:
    seq = conn.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {TENANTS}").fetchone()[0]
    conn.execute(
        f"INSERT INTO {TENANTS} (vendor, id, seq, generate, doc) VALUES (?, ?, ?, ?, ?)",
        (tenant.vendor, tenant.id, seq, int(tenant.generate), json.dumps(tenant.doc, ensure_ascii=False)),
    )


def copy_tables(source: sqlite3.Connection, target: sqlite3.Connection, meta_keys: Sequence[str]) -> None:
    """Carry fault rules and some meta values over into a freshly built database (a reseed keeps them)."""
    target.execute(f"DELETE FROM {FAULTS}")
    rows = source.execute(f"SELECT seq, id, rule, matched, fired FROM {FAULTS}").fetchall()
    target.executemany(f"INSERT INTO {FAULTS} (seq, id, rule, matched, fired) VALUES (?, ?, ?, ?, ?)", rows)
    for key in meta_keys:
        value = read_meta(source, key)
        if value is not None:
            write_meta(target, key, value)


class ControlState:
    """A process's cached view of the shared state, and its writes (each in the caller's store transaction)."""

    def __init__(self, conn: sqlite3.Connection, on_reload: Callable[[ControlState], None]) -> None:
        self.conn = conn
        self.on_reload = on_reload
        self.meta: dict[str, Any] = {}
        self.tenants: list[TenantRow] = []
        self.faults: list[FaultRow] = []
        self._version = -1
        self.reload()

    def refresh(self) -> None:
        """Re-read the state if another connection (worker) committed since the last look."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._version:
            self.reload()

    def reload(self) -> None:
        self._version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        self.meta = {k: json.loads(v) for k, v in self.conn.execute(f"SELECT key, value FROM {META}")}
        self.tenants = [
            TenantRow(vendor, id_, json.loads(doc), bool(generate))
            for vendor, id_, doc, generate in self.conn.execute(
                f"SELECT vendor, id, doc, generate FROM {TENANTS} ORDER BY seq"
            )
        ]
        self.faults = [
            FaultRow(id_, json.loads(rule), matched, fired)
            for id_, rule, matched, fired in self.conn.execute(
                f"SELECT id, rule, matched, fired FROM {FAULTS} ORDER BY seq"
            )
        ]
        self.on_reload(self)

    # -- reads --
    def tenants_of(self, vendor: str) -> list[TenantRow]:
        return [t for t in self.tenants if t.vendor == vendor]

    def tenant(self, vendor: str, id_: str) -> TenantRow | None:
        return next((t for t in self.tenants if t.vendor == vendor and t.id == id_), None)

    # -- writes: call inside `Store.transaction()`, then `reload()` --
    def set_meta(self, key: str, value: Any) -> None:
        write_meta(self.conn, key, value)

    def next_seq(self, name: str) -> int:
        """A counter that only grows (until a reset): new tenants' and fault rules' numbers."""
        value = int(read_meta(self.conn, name, 0)) + 1
        write_meta(self.conn, name, value)
        return value

    def add_tenant(self, tenant: TenantRow) -> None:
        insert_tenant(self.conn, tenant)

    def remove_tenant(self, vendor: str, id_: str) -> bool:
        cur = self.conn.execute(f"DELETE FROM {TENANTS} WHERE vendor=? AND id=?", (vendor, id_))
        return cur.rowcount > 0

    def add_fault(self, id_: str, rule: dict[str, Any]) -> None:
        self.conn.execute(
            f"INSERT INTO {FAULTS} (seq, id, rule) VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM {FAULTS}), ?, ?)",
            (id_, json.dumps(rule, ensure_ascii=False)),
        )

    def remove_faults(self, id_: str | None = None) -> int:
        if id_ is None:
            return self.conn.execute(f"DELETE FROM {FAULTS}").rowcount
        return self.conn.execute(f"DELETE FROM {FAULTS} WHERE id=?", (id_,)).rowcount

    def count_match(self, id_: str) -> int | None:
        """Count one more match of a rule; its 1-based match number, or None if the rule is gone."""
        row = self.conn.execute(
            f"UPDATE {FAULTS} SET matched = matched + 1 WHERE id=? RETURNING matched", (id_,)
        ).fetchone()
        return None if row is None else int(row[0])

    def count_fire(self, id_: str, limit: int | None) -> bool:
        """Count one firing unless the rule already fired `limit` times; whether it may fire."""
        cur = self.conn.execute(
            f"UPDATE {FAULTS} SET fired = fired + 1 WHERE id=? AND (? IS NULL OR fired < ?)", (id_, limit, limit)
        )
        return cur.rowcount > 0
