"""URLs of socle.pronote (mounted at ``/gestion/pronote/``)."""

from django.urls import path

from socle.pronote.views import doctor, export, wizard

app_name = "pronote"
urlpatterns = [
    path("", wizard.index, name="index"),
    path("import/<int:pk>/", wizard.resume, name="resume"),
    path("import/<int:pk>/etape/<int:number>/", wizard.step_view, name="step"),
    path("import/<int:pk>/rapport/", wizard.final, name="final"),
    path("import/<int:pk>/rapport.csv", wizard.report, name="report"),
    path("recherche/", wizard.search, name="search"),
    path("diagnostic/", doctor.doctor_view, name="doctor"),
    path("export/", export.export_view, name="export"),
]
