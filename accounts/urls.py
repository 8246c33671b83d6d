from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    # profile and verification
    path("", views.ProfileView.as_view(), name="profile"),
    path("avatar/", views.AvatarUploadView.as_view(), name="avatar"),
    path("verify-email/send/", views.EmailVerificationSendView.as_view(), name="email_verification_send"),
    path("verify-email/<str:token>/", views.EmailVerifyView.as_view(), name="verify_email"),
    path("phone/send-code/", views.PhoneCodeSendView.as_view(), name="phone_code_send"),
    path("phone/verify/", views.PhoneVerifyView.as_view(), name="phone_verify"),
    # passwords
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # address book
    path("addresses/", views.AddressListView.as_view(), name="addresses"),
    path("addresses/add/", views.AddressCreateView.as_view(), name="address_add"),
    path("addresses/<int:pk>/edit/", views.AddressUpdateView.as_view(), name="address_edit"),
    path("addresses/<int:pk>/delete/", views.AddressDeleteView.as_view(), name="address_delete"),
    path("addresses/<int:pk>/default/", views.AddressMakeDefaultView.as_view(), name="address_make_default"),
    # active sessions
    path("sessions/", views.SessionListView.as_view(), name="sessions"),
    path("sessions/<int:pk>/end/", views.SessionEndView.as_view(), name="session_end"),
    path("sessions/end-others/", views.SessionEndOthersView.as_view(), name="sessions_end_others"),
]
