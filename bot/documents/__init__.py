"""Replies and reports turned into files: CSV, PDF, chart PNG, audio for the phone.

Presentation, not domain: ``core`` computes the rows and figures, a handler decides what
to send, and a module here writes the file (off the event loop: callers run these in a
thread). Adapters only send the resulting ``Attachment``.
"""
