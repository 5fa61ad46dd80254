from django import forms, template

register = template.Library()

_CHECKS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def styled(field):
    """Render a bound field with the framework's classes and its invalid state."""
    widget = field.field.widget
    if isinstance(widget, _CHECKS):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def width_class(percent) -> str:
    """`tc-w-N` (N = 0…100, rounded and clamped): a bar's width without an inline style attribute,
    which the Content-Security-Policy refuses (static/css/talentcircles.css defines the 101 classes)."""
    try:
        value = round(float(percent))
    except (TypeError, ValueError):
        value = 0
    return f"tc-w-{min(100, max(0, value))}"
