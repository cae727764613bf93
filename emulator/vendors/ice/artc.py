"""What GenerateAIAgentCall hands out: an ARTC channel, the names in it and the client's join token.

The token has the documented single-parameter shape: Base64 of a JSON object with `appid`, `channelid`, `userid`,
`nonce`, `timestamp` (the expiry, Unix seconds) and `token` = SHA-256 hex of AppID + AppKey + ChannelID + UserID +
Nonce + Timestamp (ARTC "token-based authentication"), plus `gslb`, the scheduling servers the ARTC SDK contacts.
The ARTC application (AppID, AppKey) is derived per account and agent from the seed, as everything else here is.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from emulator.core.ids import digest_uuid

GSLB = ["https://gw.rtn.aliyuncs.com"]  # [inferred] the ARTC SDK's public scheduling endpoint


def _hex(seed: int, *parts: str) -> str:
    return digest_uuid(seed, parts).hex


def join_token(app_id: str, app_key: str, channel_id: str, user_id: str, expires_at: int) -> str:
    nonce = ""  # the docs recommend an empty nonce
    digest = hashlib.sha256(f"{app_id}{app_key}{channel_id}{user_id}{nonce}{expires_at}".encode()).hexdigest()
    payload = {
        "appid": app_id,
        "channelid": channel_id,
        "userid": user_id,
        "nonce": nonce,
        "timestamp": expires_at,
        "gslb": GSLB,
        "token": digest,
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


@dataclass(frozen=True)
class CallJoin:
    """One call's channel and participants, all derived from the seed, the account, the agent and the instance."""

    app_id: str
    app_key: str
    channel_id: str
    user_id: str
    agent_user_id: str
    avatar_user_id: str | None  # an avatar (AvatarChat3D) agent's own participant
    mode: str  # VoiceChat, VisionChat or AvatarChat3D
    expires_at: int  # Unix seconds

    @classmethod
    def derive(
        cls,
        seed: int,
        account: str,
        agent_id: str,
        instance_id: str,
        *,
        mode: str,
        user_id: str | None,
        expires_at: int,
    ) -> CallJoin:
        app = _hex(seed, "ice.artc.app", account, agent_id)
        return cls(
            app_id=f"{app[:8]}-{app[8:12]}-{app[12:16]}",
            app_key=_hex(seed, "ice.artc.key", account, agent_id),
            channel_id=_hex(seed, "ice.artc.channel", account, instance_id),
            user_id=user_id or _hex(seed, "ice.artc.user", account, instance_id),
            agent_user_id=_hex(seed, "ice.artc.agent", account, instance_id),
            avatar_user_id=_hex(seed, "ice.artc.avatar", account, instance_id) if mode == "AvatarChat3D" else None,
            mode=mode,
            expires_at=expires_at,
        )

    def token(self, user_id: str) -> str:
        return join_token(self.app_id, self.app_key, self.channel_id, user_id, self.expires_at)

    def runtime_config(self) -> dict[str, Any]:
        """The agent's own join parameters, as RuntimeConfig holds them: top level and under the call mode."""
        join = {"AgentUserId": self.agent_user_id, "AuthToken": self.token(self.agent_user_id)}
        join["ChannelId"] = self.channel_id
        return {**join, self.mode: dict(join)}
