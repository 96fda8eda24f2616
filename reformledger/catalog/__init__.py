"""Power and service lists (权责清单 / 服务清单): yearly editions, compared and published."""
