"""API routes of the candidates app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from candidates.api import CandidateViewSet
from candidates.api_imports import ImportJobViewSet

router = SimpleRouter()
router.register("candidates", CandidateViewSet, basename="api-candidate")
router.register("imports", ImportJobViewSet, basename="api-import")

urlpatterns = router.urls
