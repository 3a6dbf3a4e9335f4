"""Secrets Manager: after a label move, reads follow AWSCURRENT (see emulator/README.md)."""

from __future__ import annotations

from typing import Any

REQUIRED = [
    ("moto.secretsmanager.models", "SecretsManagerBackend", ["update_secret_version_stage", "get_secret_value"]),
    ("moto.secretsmanager.models", "FakeSecret", ["set_default_version_id"]),
]


def install(found: dict[str, Any]) -> None:
    """The default version follows AWSCURRENT."""
    secrets_backend_cls = found["SecretsManagerBackend"]
    orig_update_secret_version_stage = secrets_backend_cls.update_secret_version_stage

    def update_secret_version_stage(self: Any, secret_id: str, version_stage: str, remove_from_version_id: str,
                                    move_to_version_id: str) -> Any:
        result = orig_update_secret_version_stage(self, secret_id, version_stage, remove_from_version_id,
                                                  move_to_version_id)
        _follow_current(self.secrets[secret_id])
        return result

    secrets_backend_cls.update_secret_version_stage = update_secret_version_stage


def _follow_current(secret: Any) -> None:
    """After a label move: each label on a version at most once, and the default version is the AWSCURRENT one.

    Moto serves a GetSecretValue without VersionStage/VersionId (and picks AWSPREVIOUS at the next PutSecretValue or
    rotation) from `default_version_id`, which its UpdateSecretVersionStage never changes: after a rollback moved
    AWSCURRENT back to the good version, plain moto still answers with the bad value. AWS answers with AWSCURRENT's.
    """
    owner = getattr(secret, "source", secret)  # a replica reads its primary's versions
    current = None
    for version_id, version in owner.versions.items():
        stages = version["version_stages"]
        stages[:] = list(dict.fromkeys(stages))
        if "AWSCURRENT" in stages:
            current = version_id
    if current is not None:
        owner.set_default_version_id(current)
