"""What admins read of their cohorts: ``/stats``, ``/applications``, ``/flow``, and the files
``/export`` and ``/documents`` send."""
