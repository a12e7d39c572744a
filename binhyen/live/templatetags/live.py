from django import template

from binhyen.live import conf

register = template.Library()


@register.simple_tag
def live_stream_url() -> str:
    return conf.stream_url()
