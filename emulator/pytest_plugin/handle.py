"""`emulator`, the per-test handle: the server's URL, the test's own tenants (with their credentials and official SDK
clients), record loads, fault rules and the journal. Made by the plugin's `emulator` fixture."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, Unpack

from emulator.admin.models import Dataset, Fault, PutResult
from emulator.client import EmulatorClient
from emulator.client.calls import FaultRule
from emulator.pytest_plugin.journal import Journal
from emulator.pytest_plugin.server import EmulatorServer
from emulator.vendors.fixie.tenants import FixieTenant
from emulator.vendors.fixie.testing import FixieTestTenant
from emulator.vendors.ice.tenants import IceTenant
from emulator.vendors.ice.testing import IceTestTenant
from emulator.vendors.metastudio.tenants import MetaStudioTenant
from emulator.vendors.metastudio.testing import MetaStudioTestTenant


class TestTenant(Protocol):
    @property
    def tenant(self) -> str: ...


def view(base_url: str, vendor: str, doc: Mapping[str, Any]) -> TestTenant:
    """A tenant document (as the manifest holds it) as the vendor's test view."""
    if vendor == "ice":
        return IceTestTenant(base_url, IceTenant.model_validate(doc))
    if vendor == "metastudio":
        return MetaStudioTestTenant(base_url, MetaStudioTenant.model_validate(doc))
    if vendor == "fixie":
        return FixieTestTenant(base_url, FixieTenant.model_validate(doc))
    raise ValueError(f'no vendor "{vendor}"; served: ice, metastudio, fixie')


class Faults:
    """`emulator.faults`: fault rules (README, "Faults"); the plugin's reset after the test removes them."""

    def __init__(self, admin: EmulatorClient) -> None:
        self.admin = admin

    def add(self, vendor: str, **rule: Unpack[FaultRule]) -> str:
        """Add a rule (`emulator.faults.add("ice", error="Throttling.User", count=1)`); answers its id."""
        return self.admin.add_fault(vendor, **rule)

    def list(self) -> list[Fault]:
        return self.admin.list_faults()

    def delete(self, fault_id: str) -> None:
        self.admin.delete_fault(fault_id)

    def clear(self) -> None:
        self.admin.clear_faults()


class EmulatorHandle:
    """What a test reaches the emulator through. `ice`, `metastudio` and `fixie` are tenants of the test's own,
    created on first use (empty, or with generated data when the marker or ini asks for `generate`); other tests
    never see them. Whatever the test changes is undone after it: the server is reset."""

    def __init__(self, server: EmulatorServer, generate: bool) -> None:
        self.server = server
        self.url = server.url
        self.settings = server.settings
        self.generate = generate
        self.admin = EmulatorClient(self.url)
        self.faults = Faults(self.admin)
        newest = self.admin.list_requests(limit=1)
        self.journal = Journal(self.admin, newest[0].id if newest else None)
        self._own: dict[str, TestTenant] = {}

    @property
    def ice(self) -> IceTestTenant:
        """The test's ICE account: `account_id`, `access_key_id`, `access_key_secret`, `endpoint`, `client()`."""
        own = self._tenant("ice")
        assert isinstance(own, IceTestTenant)
        return own

    @property
    def metastudio(self) -> MetaStudioTestTenant:
        """The test's MetaStudio project: `project_id`, `ak`, `sk`, `token`, `endpoint`, `client()`."""
        own = self._tenant("metastudio")
        assert isinstance(own, MetaStudioTestTenant)
        return own

    @property
    def fixie(self) -> FixieTestTenant:
        """The test's Fixie owner: `owner`, `api_key`, `base_url`, `headers`, `client()`."""
        own = self._tenant("fixie")
        assert isinstance(own, FixieTestTenant)
        return own

    def _tenant(self, vendor: str) -> TestTenant:
        if vendor not in self._own:
            self._own[vendor] = self.new_tenant(vendor)
        return self._own[vendor]

    def new_tenant(self, vendor: str, generate: bool | None = None) -> Any:
        """Another fresh tenant of `vendor` (with generated data if `generate`, default: the test's setting)."""
        doc = self.admin.create_tenant(vendor, generate=self.generate if generate is None else generate)
        return view(self.url, vendor, doc)

    def tenant(self, vendor: str, tenant_id: str | None = None) -> Any:
        """A tenant the server already serves: the manifest's first of `vendor` (the README's dev tenant, or your
        fixtures' own), or the one named."""
        served = self.admin.list_tenants()
        if vendor not in served:
            raise ValueError(f'no vendor "{vendor}"; served: {", ".join(served)}')
        for doc in served[vendor]:
            found = view(self.url, vendor, doc)
            if tenant_id is None or found.tenant == tenant_id:
                return found
        raise LookupError(f'{vendor} has no tenant "{tenant_id}"' if tenant_id else f"{vendor} has no tenant")

    def load(self, collection: str, entries: Sequence[Mapping[str, Any]]) -> PutResult:
        """Insert or replace records of `collection` ("ice/dialogues", "fixie/conversations", ...) in the fixture
        format; an entry without a `tenant` goes to the test's own tenant of that vendor."""
        vendor = collection.split("/", 1)[0]
        filled = [e if "tenant" in e else {"tenant": self._tenant(vendor).tenant, **e} for e in entries]
        return self.admin.put_records(collection, filled)

    def reset(self) -> Dataset:
        """The start-up dataset back now (the test's own tenants go too: the next use creates new ones)."""
        self._own.clear()
        return self.admin.reset()

    def close(self) -> None:
        """After the test: the start-up dataset back, whatever the test changed and however (about 10 ms at scale
        1, growing with the scale), so nothing leaks into the next test."""
        try:
            self.server.admin.reset()
        finally:
            self.admin.close()
