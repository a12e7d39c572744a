"""Officers' side of the public doors: the queue of held submissions."""

from django.urls import path

from binhyen.tips import views

app_name = "tips-console"

urlpatterns = [
    path("", views.held_list, name="held"),
    path("<int:pk>/cho-vao-hop-thu/", views.held_release, name="release"),
    path("<int:pk>/loai/", views.held_discard, name="discard"),
]
