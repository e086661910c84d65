"""The demo's people: contacts of both accounts, Garde users, the agents' pages."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

# key, name, phone suffix, Slack user id, Telegram username. Two Tremblay and
# « Marc »/« Marie » share a prefix on purpose, to show how ambiguous names are handled.
CONTACTS_4000 = (
    ("luc", "Luc Lambert", "0101", "U0LUC", "luclambert"),
    ("anthony", "Anthony Giosi", "0102", "U0ANTHONY", None),
    ("patrick", "Patrick Tremblay", "0103", None, "ptremblay"),
    ("helene", "Hélène Roy", "0104", "U0HELENE", None),
    ("marie", "Marie Tremblay", "0105", None, "marietremblay"),
    ("marc", "Marc Bouchard", "0106", None, None),
    ("sophie", "Sophie Gagnon", "0107", "U0SOPHIE", "sgagnon"),
)
CONTACTS_4100 = (
    ("jean", "Jean Lavoie", "0111", None, "jeanlavoie"),
    ("sylvie", "Sylvie Côté", "0112", None, None),
    ("daniel", "Daniel Pelletier", "0113", None, "dpelletier"),
)


def contact(row: tuple[str, str, str, str | None, str | None], area: str) -> Json:
    """A directory entry with fictitious 555-01xx numbers and an example.com address."""
    key, name, suffix, slack_id, telegram = row
    cell, office = f"+1{area}555{suffix}", f"+1{area}555{int(suffix) + 100:04d}"
    handles = {"slack_user_id": slack_id, "telegram_username": telegram}
    return {
        "key": key,
        "name": name,
        "phones": [cell, office],
        "sms": cell,
        "email": f"{key}@example.com",
        **{k: v for k, v in handles.items() if v},
    }


def info_pages() -> list[Json]:
    """The two pages the agents read for account 4000, in French as the portal shows them."""
    return [
        {
            "title": "Instructions générales",
            "body": (
                "Demo Genesis — plomberie et chauffage, Montréal et environs.\n"
                "Heures d'ouverture : lundi au vendredi, 8 h à 17 h.\n"
                "Répondre : « Demo Genesis, bonjour, comment puis-je vous aider ? »\n"
                "Prendre le prénom, le nom, le téléphone, l'adresse complète et le problème.\n"
                "Rendez-vous : ne jamais confirmer de date ; inscrire « A rappeler ».\n"
                "Messages transmis par courriel à service@example.com."
            ),
        },
        {
            "title": "Procédure d'urgence",
            "body": (
                "Urgences : fuite d'eau active, absence de chauffage, refoulement d'égout.\n"
                "Odeur de gaz : demander au client de quitter les lieux et d'appeler le 911.\n"
                "1. Appeler la personne de garde de l'horaire « 01 Horaire » (rang 0).\n"
                "2. Sans réponse après 10 minutes : appeler le rang 1, puis Luc Lambert.\n"
                "3. Le soir (17 h à 8 h) : horaire « 02 Soirs ».\n"
                "Toujours marquer le message URGENCE."
            ),
        },
    ]


def users() -> list[Json]:
    """Garde users of the demo: an admin, a scheduler with linked chats, an English viewer."""
    return [
        {
            "username": "demo",
            "name": "Démo Utilisateur",
            "locale": "fr",
            "accounts": {"4000": "admin", "4100": "viewer"},
            "slack": [],
            "telegram": [],
        },
        {
            "username": "alice",
            "name": "Alice Roy",
            "locale": "fr",
            "accounts": {"4000": "scheduler"},
            "slack": [{"team_id": "T0001", "user_id": "U0ALICE"}],
            "telegram": [{"user_id": 100200300}],
        },
        {
            "username": "bob",
            "name": "Bob Martin",
            "locale": "en",
            "accounts": {"4000": "viewer"},
            "slack": [],
            "telegram": [],
        },
    ]
