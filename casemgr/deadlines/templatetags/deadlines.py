from django import template

register = template.Library()


@register.filter
def days_left(days: int) -> str:
    """7 -> "in 7 days", 1 -> "tomorrow", 0 -> "today", -2 -> "2 days overdue"."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "1 day overdue"
    return f"in {days} days" if days > 0 else f"{-days} days overdue"
