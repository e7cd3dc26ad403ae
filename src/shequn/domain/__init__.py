"""Platform-neutral domain types: canonical events, actions, enums."""
