"""Member profiles: settings, the tag job, the tag catalog and identity merges."""
