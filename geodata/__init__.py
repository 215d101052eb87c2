"""Files to a validated :class:`~geodata.region.Region`: readers, coordinates, checks, travel costs, demo data."""
