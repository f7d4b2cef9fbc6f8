"""evstats: statistics of threats and violence against EMS staff in Finland."""

__version__ = "0.1.0"
