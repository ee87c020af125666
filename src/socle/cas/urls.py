"""URLs of socle.cas, mounted under /cas/."""

from django.urls import path, re_path

from socle.cas.views import login, logout, validate

app_name = "cas"
urlpatterns = [
    path("login", login.login, name="login"),
    path("logout", logout.logout, name="logout"),
    path("validate", validate.validate, name="validate"),
    path("serviceValidate", validate.service_validate, name="service_validate"),
    path("proxyValidate", validate.proxy_validate, name="proxy_validate"),
    path("proxy", validate.proxy, name="proxy"),
    path("p3/serviceValidate", validate.p3_service_validate, name="p3_service_validate"),
    path("p3/proxyValidate", validate.p3_proxy_validate, name="p3_proxy_validate"),
    path("samlValidate", validate.saml_validate, name="saml_validate"),
    # PRONOTE's console writes the validation link as <cas>/saml/Validate, in any case.
    re_path(
        r"^[Ss][Aa][Mm][Ll]/[Vv][Aa][Ll][Ii][Dd][Aa][Tt][Ee]$",
        validate.saml_validate,
        name="saml_validate_alias",
    ),
]
