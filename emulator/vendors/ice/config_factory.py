"""Deterministic builders for the ICE instance configs (RuntimeConfig, TemplateConfig, AgentConfig) as models.

The draws are in `config_docs`, which builds the wire documents (what a dataset build stores); these validate them
into the `configs` models, for the callers that work with models (fixture entries, the lifecycle operations, tests).
All randomness comes from the `random.Random` and the seeded `Faker` the caller passes in; Faker is only used to fill
a `ConfigPools` of text once per Faker instance (or the caller passes a prebuilt one).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from emulator.vendors.ice.config_docs import agent_doc, mode_key, runtime_doc, template_doc
from emulator.vendors.ice.config_pools import MODE_FIELDS, ConfigPools, pools_for
from emulator.vendors.ice.configs import AIAgentConfig, AIAgentRuntimeConfig, AIAgentTemplateConfig

if TYPE_CHECKING:  # Faker is imported where text is generated, not at start-up
    from faker import Faker

__all__ = ["MODE_FIELDS", "ConfigPools", "agent_config", "pools_for", "runtime_config", "template_config"]


def runtime_config(r: random.Random, fake: Faker, mode: str, *, issued_ms: int | None = None) -> AIAgentRuntimeConfig:
    """The ARTC join parameters of one call (see `config_docs.runtime_doc`)."""
    return AIAgentRuntimeConfig.model_validate(runtime_doc(r, mode, issued_ms=issued_ms))


def template_config(
    r: random.Random, fake: Faker, mode: str, *, pools: ConfigPools | None = None
) -> AIAgentTemplateConfig:
    """The (deprecated) per-mode template: the chosen mode always, each other mode with probability 0.3."""
    mode_key(mode)  # before the pools draw from `fake`
    return AIAgentTemplateConfig.model_validate(template_doc(r, pools if pools is not None else pools_for(fake), mode))


def agent_config(r: random.Random, fake: Faker, *, pools: ConfigPools | None = None) -> AIAgentConfig:
    """A full AgentConfig: every sub-object filled (the deprecated `BackChannelingConfig` only sometimes)."""
    return AIAgentConfig.model_validate(agent_doc(r, pools if pools is not None else pools_for(fake)))
