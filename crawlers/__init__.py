"""Collection: a Scrapy project whose spiders are built from the [[sources]] in config.toml."""
