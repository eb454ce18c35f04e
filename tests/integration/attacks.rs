//! What an attacker would try against gatehouse (being written).
