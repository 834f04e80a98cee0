"""`{% role_menus %}`: simpleui's menu script, built from the user's role (reports.menus)."""

from django import template
from django.conf import settings
from simpleui.templatetags import simpletags

from reports.menus import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def role_menus(context):
    request = context.get("request")
    menu = menu_for(
        getattr(request, "user", None), context.get("app_list"), getattr(settings, "SIMPLEUI_ICON", {})
    )

    def get_config(key):
        if key == "SIMPLEUI_CONFIG" and menu is not None:
            return {"system_keep": False, "menus": menu}
        return simpletags.get_config(key)

    # A <script> with the menu as JSON; the template renders it with autoescape off, as simpleui does.
    return simpletags.menus(context, _get_config=get_config)
