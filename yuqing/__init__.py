"""yuqing package."""
