"""Running untrusted student code: ``runner`` is the trusted parent side, ``child`` the program that
runs inside the sandbox, ``isolation`` the Linux confinement, ``protocol`` the wire format."""
from .runner import (NO_ISOLATION, IsolationUnavailable, Limits, Sandbox, SandboxError, StudentCallError,
                     isolation_available)

__all__ = ["NO_ISOLATION", "IsolationUnavailable", "Limits", "Sandbox", "SandboxError", "StudentCallError", "isolation_available"]
