"""CloudFront: a CallerReference names one invalidation (see emulator/README.md)."""

from __future__ import annotations

from typing import Any

REQUIRED = [
    ("moto.cloudfront.models", "CloudFrontBackend", ["create_invalidation"]),
    ("moto.cloudfront.exceptions", "CloudFrontException", []),
]


def install(found: dict[str, Any]) -> None:
    """A resent CreateInvalidation returns the first invalidation; other paths under the same reference fail."""
    cloudfront_backend_cls = found["CloudFrontBackend"]
    cloudfront_exception = found["CloudFrontException"]
    orig_create_invalidation = cloudfront_backend_cls.create_invalidation

    def create_invalidation(self: Any, dist_id: str, paths: Any, caller_ref: str) -> Any:
        wanted = _path_list(paths)
        for existing in self.invalidations.get(dist_id) or []:
            if existing.caller_ref != caller_ref:
                continue
            if _path_list(existing.paths) == wanted:
                return existing  # AWS answers a resent batch with the invalidation it created the first time
            raise cloudfront_exception(
                "InvalidationBatchAlreadyExists",
                f"The caller reference {caller_ref} is already in use for invalidation {existing.id} with other paths.",
            )
        return orig_create_invalidation(self, dist_id, paths, caller_ref)

    cloudfront_backend_cls.create_invalidation = create_invalidation


def _path_list(paths: Any) -> list[str]:
    if paths is None:
        return []
    if isinstance(paths, (str, bytes)):
        return [paths]
    if isinstance(paths, dict):  # {"Path": [...]} or {"Path": "..."}, depending on how the XML was parsed
        return _path_list(paths.get("Path"))
    return sorted(str(p) for p in paths)


