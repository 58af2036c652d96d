"""Running untrusted student code: ``runner`` is the trusted parent side, ``child`` the program that
runs inside the sandbox, ``isolation`` the Linux confinement, ``protocol`` the wire format."""
from .runner import Limits, Sandbox, SandboxError, StudentCallError, isolation_available

__all__ = ["Limits", "Sandbox", "SandboxError", "StudentCallError", "isolation_available"]
