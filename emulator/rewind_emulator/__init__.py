"""Rewind's extension of moto 5.2.1, one module per concern (see emulator/README.md).

core: settings, the call counter, /rewind-api, the check of moto's internals; ecs: rollouts; ecs_deployments:
service revisions and deployments, the BLUE_GREEN/LINEAR/CANARY shapes; codedeploy: CodeDeploy for ECS;
secretsmanager; cloudfront. `install()` patches moto in place, once.
"""

from __future__ import annotations

from . import cloudfront, codedeploy, core, ecs, ecs_deployments, secretsmanager
from .core import RewindMotoPatchError, is_mutating
from .ecs import image_is_broken

__all__ = ["RewindMotoPatchError", "image_is_broken", "install", "is_mutating"]

# In patch order; each has REQUIRED (the moto internals it needs) and install(found).
_CONCERNS = (core, ecs, ecs_deployments, codedeploy, secretsmanager, cloudfront)


def install() -> None:
    """Patch moto in place. Every internal is checked before anything is patched; a second call patches nothing."""
    found = core.check_moto([item for concern in _CONCERNS for item in concern.REQUIRED])
    marker = found["EC2ContainerServiceBackend"]
    if getattr(marker, "_rewind_patched", False):
        return
    for concern in _CONCERNS:
        concern.install(found)
    marker._rewind_patched = True
