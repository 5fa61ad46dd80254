from django.apps import AppConfig


class TalentCirclesConfig(AppConfig):
    name = "talentcircles"
    verbose_name = "TalentCircles"
