"""Who may do what and what stays secret: roles, logins and API keys (``auth``), password
hashing (``hashing``) and strength (``strength``), files only Kolam may read (``files``)
and credentials cut out of error text (``redact``)."""
