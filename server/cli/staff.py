"""Staff accounts from the command line, for when no administrator can do it on the site: the
only administrator has forgotten their password, or lost their phone and recovery codes."""

from __future__ import annotations

import click

from server.cli.support import require_migrated, run_async


async def _account_id(email: str) -> int:
    from common.emails import normalise_email
    from server.tables import StaffUser

    row = await StaffUser.select(StaffUser.id).where(StaffUser.email == normalise_email(email)).first().run()
    if row is None:
        raise click.ClickException(f"no staff account has the email {email}")
    return int(row["id"])


@click.command("password-link")
@click.option("--email", required=True, help="The staff account's email address.")
def password_link_command(email: str) -> None:
    """Email the account's owner a one-time link to set a new password (the outbox sends it).
    Their current password keeps working until the link is used."""
    settings = require_migrated()
    from server.accounts.password_changes import PASSWORD_LINK_LIFETIME, issue_password_link
    from server.app import create_app
    from server.audit import record_audit
    from server.services.outbox import write_outbox

    app = create_app(settings)

    async def send() -> None:
        user_id = await _account_id(email)
        link = await issue_password_link(
            user_id=user_id, council_name=settings.council_name,
            link_for_token=lambda token: settings.site_url + app.route_reverse("set_password", token=token))
        await write_outbox([link.email])
        await record_audit(actor="command line", action="staff_password_link_sent", object_type="staff_user",
                           object_id=user_id)

    run_async(send())
    hours = int(PASSWORD_LINK_LIFETIME.total_seconds() // 3600)
    click.echo(f"Queued an email to {email} with a one-time link to set a password (works for {hours} hours).")


@click.command("reset-two-factor")
@click.option("--email", required=True, help="The staff account's email address.")
def reset_two_factor_command(email: str) -> None:
    """Turn off the account's two-factor sign-in (a lost phone) and sign it out everywhere."""
    require_migrated()
    from server.accounts.two_factor import reset_two_factor
    from server.audit import record_audit

    async def reset() -> None:
        user_id = await _account_id(email)
        await reset_two_factor(user_id)
        await record_audit(actor="command line", action="staff_two_factor_reset", object_type="staff_user",
                           object_id=user_id)

    run_async(reset())
    click.echo(f"Reset two-factor sign-in for {email}; they set it up again at their next sign-in if it is required.")
