from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse

from households import selectors


@staff_member_required
def region_children(request):
    """Cascading region picker: the children of one region, inside the user's scope."""
    parent = request.GET.get("parent", "")
    qs = selectors.regions_for(request.user)
    qs = qs.filter(parent_id=parent) if parent else qs.filter(parent__isnull=True)
    data = [
        {"code": r.code, "name": r.name, "level": r.level} for r in qs.only("code", "name", "level")[:1000]
    ]
    return JsonResponse({"results": data})
