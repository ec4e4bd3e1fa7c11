"""The package version, as pbr computes it from git or installed metadata."""

import pbr.version

version_info = pbr.version.VersionInfo('keystone_like')


def version_string():
    """Return the version string, e.g. ``0.1.0`` or ``0.0.1.dev12``."""
    try:
        return version_info.release_string()
    except Exception:  # noqa: BLE001 - pbr raises bare Exception
        # A source checkout run without installing and outside git.
        return 'unknown'
